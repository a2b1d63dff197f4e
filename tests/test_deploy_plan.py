"""``site-builder deploy`` without a server: the plan (pure), the deploy targets of site.yaml,
and the requests a real store or CDN would get where SeaweedFS cannot stand in (website
redirects, CloudFront), checked against botocore's own API models with its Stubber."""

from __future__ import annotations

import base64
import hashlib
import os
import re

import pytest
from conftest import REPO, make_mini_site, read_tree
from test_aliases import MOU_EN, add_aliases

from site_builder import pipeline
from site_builder.config import DEFAULT_MAX_DELETES, DeployTarget, load_deploy_targets, parse_config
from site_builder.errors import SiteError, SiteErrors, format_error
from site_builder.messages import load_catalogue
from site_builder.output import cdn, deploy

BASE = (REPO / "site.yaml").read_text("utf-8")


def local(key: str, data: bytes = b"x") -> deploy.LocalFile:
    return deploy.LocalFile(key, deploy._md5(data), len(data), cdn.content_type(key), cdn.cache_control(key))


# --- the plan ----------------------------------------------------------------


def test_the_plan_uploads_what_differs_in_waves_and_deletes_what_is_gone():
    files = [local("en/index.html", b"new"), local("assets/site.1.css"), local("sitemap.xml"),
             local("en/feed.xml"), local("robots.txt"), local("assets/logo.2.svg", b"same"), local("search/en-1.json")]  # fmt: skip
    remote = {"en/index.html": deploy._md5(b"old"), "assets/logo.2.svg": deploy._md5(b"same"),
              "assets/site.0.css": deploy._md5(b"x"), "en/old/index.html": None}  # fmt: skip
    plan = deploy.plan_deploy(files, remote)
    keys = [[file.key for file in wave] for wave in plan.waves]
    assert keys == [
        ["assets/site.1.css", "search/en-1.json"],
        ["en/index.html"],
        ["en/feed.xml", "robots.txt", "sitemap.xml"],
    ]
    assert plan.deletions == ("assets/site.0.css", "en/old/index.html")
    assert plan.unchanged == 1 and plan.pages_deleted == 1
    assert plan.new == {"assets/site.1.css", "search/en-1.json", "en/feed.xml", "robots.txt", "sitemap.xml"}
    # An object whose MD5 is not known is uploaded again; --force uploads every file.
    assert [f.key for f in deploy.plan_deploy([local("a.html")], {"a.html": None}).uploads] == ["a.html"]
    assert len(deploy.plan_deploy(files, remote, force=True).uploads) == len(files)


def test_only_pages_count_against_the_deletion_limit():
    remote = {f"en/{n}/index.html": None for n in range(3)} | {f"search/{n}.json": None for n in range(50)}
    remote |= {f"assets/photo.{n}.webp": None for n in range(50)}
    plan = deploy.plan_deploy([], remote)
    assert plan.pages_deleted == 3
    deploy.check_deletions(plan, 3, force=False)
    deploy.check_deletions(plan, 2, force=True)
    with pytest.raises(SiteError) as refused:
        deploy.check_deletions(plan, 2, force=False)
    assert str(refused.value).startswith(
        "this deploy would delete 3 pages, more than the 2 allowed: nothing was changed"
    )


def test_the_cdn_is_told_of_changed_and_deleted_addresses_not_of_new_files_or_assets():
    remote = {
        "en/index.html": "0" * 32,
        "en/feed.xml": "0" * 32,
        "assets/a.1.css": "0" * 32,
        "old/index.html": None,
    }
    plan = deploy.plan_deploy(
        [local("en/index.html"), local("en/feed.xml"), local("assets/a.2.css"), local("nl/index.html")],
        remote,
    )
    assert deploy.invalidation_paths(plan) == (
        "/en/",
        "/en/feed.xml",
        "/en/index.html",
        "/old/",
        "/old/index.html",
    )
    accented = deploy.plan_deploy([local("nl/café/index.html")], {"nl/café/index.html": None})
    assert deploy.invalidation_paths(accented) == ("/nl/caf%C3%A9/", "/nl/caf%C3%A9/index.html")
    # Up to 100 paths are named; more: "/*".
    hundred = deploy.plan_deploy(
        [local(f"p{n}.html") for n in range(100)], {f"p{n}.html": None for n in range(100)}
    )
    assert len(deploy.invalidation_paths(hundred)) == 100
    many = deploy.plan_deploy(
        [local(f"p{n}.html") for n in range(101)], {f"p{n}.html": None for n in range(101)}
    )
    assert deploy.invalidation_paths(many) == ("/*",)


def test_cache_control_has_one_source_for_headers_nginx_and_the_store(tmp_path):
    """Every file's Cache-Control in ``_headers`` is the one a deploy gives its object."""
    root = make_mini_site(tmp_path / "site")
    pipeline.build(root)
    build = read_tree(root / "build")
    rules: dict[str, str] = {}
    address = None
    for line in build["_headers"].decode("utf-8").splitlines():
        if line and not line.startswith(" "):
            address = line
        elif line.strip().startswith("Cache-Control:"):
            rules[address] = line.split(":", 1)[1].strip()
    for key in build:
        if key.startswith("_"):
            continue
        url = "/" + key.removesuffix("index.html")
        if cdn.is_fingerprinted(key):
            expected = rules["/assets/*"]
        elif key.startswith("pagefind/"):  # the search index: one rule for its folder
            expected = rules["/pagefind/*"]
        else:
            expected = rules[url]
        assert cdn.cache_control(key) == expected, key
    nginx = cdn.nginx_config(
        __import__("site_builder.stages", fromlist=["generate"]).generate(root).site, "/srv"
    )
    assert f'add_header Cache-Control "{cdn.IMMUTABLE}" always;' in nginx
    files = {file.key: file for file in deploy.read_build(root / "build")}
    assert set(files) == set(build) - deploy.NOT_PUBLISHED
    assert files["en/feed.xml"].content_type == cdn.ATOM_TYPE
    assert files["index.html"].content_type == "text/html; charset=utf-8"
    assert (
        next(f for k, f in files.items() if k.endswith(".svg")).content_type == "image/svg+xml; charset=utf-8"
    )


def test_the_headers_file_gives_the_policy_docs_deploy_md_states(mini_built):
    """The values as docs/deploy.md writes them, not as the code names them: assets cached for a
    year, everything else for five minutes with revalidation; the security headers for every
    address, and the policy (with search, per file) allowing only the site's own files."""
    root, built = mini_built
    rules = {}
    for block in built["_headers"].decode("utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        if lines:
            rules[lines[0]] = dict(line.strip().split(": ", 1) for line in lines[1:])
    assert rules["/*"] == {
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        "X-Frame-Options": "DENY",
    }  # the site has search: the Content-Security-Policy is set per file, never twice
    assert rules["/assets/*"]["Cache-Control"] == "public, max-age=31536000, immutable"
    assert rules["/pagefind/*"]["Cache-Control"] == "public, max-age=300, must-revalidate"
    for address in ("/en/", "/nl/over-ons/", "/en/feed.xml", "/sitemap.xml", "/robots.txt", "/404.html"):
        assert rules[address]["Cache-Control"] == "public, max-age=300, must-revalidate", address
    assert not any(
        key.startswith("pagefind/") for key in built if "/" + key in rules
    )  # one rule for the folder
    for address, rule in rules.items():
        if address == "/*":
            continue
        policy = rule["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
        assert directives["default-src"] == "'self'" and directives["style-src"] == "'self'", address
        search = address.startswith("/pagefind/") or address in ("/en/search/", "/nl/zoeken/")
        assert directives["script-src"] == ("'self' 'wasm-unsafe-eval'" if search else "'self'"), address
        assert "unsafe-inline" not in policy and "http" not in policy, address  # no third party
    assert {"/en/search/", "/nl/zoeken/"} <= rules.keys()


def test_a_build_with_a_link_in_it_is_refused(mini_built):
    root, _ = mini_built
    (root / "build/en/secret.html").symlink_to("/etc/hostname")
    with pytest.raises(SiteError, match="secret.html is not a plain file"):
        deploy.read_build(root / "build")


# --- site.yaml -----------------------------------------------------------------


def test_deploy_targets_are_read_from_site_yaml(tmp_path):
    (tmp_path / "site.yaml").write_text(
        BASE + "deploy:\n  production:\n    bucket: lsh-site\n    region: eu-west-1\n    prefix: /www\n"
        "    cloudfront_distribution: E2QWRUHAPOMQZL\n  staging:\n    bucket: lsh-staging\n"
        "    endpoint: https://s3.example.org/\n    max_deletes: 10\n",
        "utf-8",
    )
    production, staging = load_deploy_targets(tmp_path)
    assert production == DeployTarget(
        "production", "lsh-site", "eu-west-1", None, "www/", "E2QWRUHAPOMQZL", 256
    )  # max_deletes left out: 256, the value docs/deploy.md shows
    assert staging == DeployTarget("staging", "lsh-staging", None, "https://s3.example.org", "", None, 10)
    assert deploy.choose_target((production, staging), None) is production
    assert deploy.choose_target((production, staging), "staging") is staging
    with pytest.raises(SiteError) as missing:
        deploy.choose_target((production, staging), "prod")
    assert (
        str(missing.value)
        == "site.yaml: no deploy target is named 'prod' (hint: one of: production, staging)"
    )
    with pytest.raises(SiteError, match="no deploy target is set"):
        deploy.choose_target((), None)


def test_a_target_without_endpoint_is_amazon_s3_and_one_with_an_endpoint_is_addressed_by_path(monkeypatch):
    """And a target without region takes the AWS configuration's: AWS_REGION, else
    AWS_DEFAULT_REGION or the profile's."""
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert (
        deploy.make_clients(DeployTarget("production", "lsh-site", None))[0].meta.region_name == "eu-west-3"
    )
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    amazon, _ = deploy.make_clients(DeployTarget("production", "lsh-site", None))
    assert amazon.meta.region_name == "eu-central-1"
    address = amazon.generate_presigned_url(
        "get_object", Params={"Bucket": "lsh-site", "Key": "en/index.html"}
    )
    assert address.startswith("https://lsh-site.s3.") and ".amazonaws.com/en/index.html?" in address
    other, _ = deploy.make_clients(
        DeployTarget("staging", "lsh-staging", "us-east-1", "https://s3.example.org")
    )
    assert other.meta.region_name == "us-east-1"
    address = other.generate_presigned_url(
        "get_object", Params={"Bucket": "lsh-staging", "Key": "en/index.html"}
    )
    assert address.startswith("https://s3.example.org/lsh-staging/en/index.html?")


def test_a_mistake_in_a_deploy_target_stops_the_build_too_naming_its_line(mini_built, run_cli):
    root, before = mini_built
    text = (root / "site.yaml").read_text("utf-8") + "deploy:\n  production:\n    bucket: Not_A_Bucket\n"
    (root / "site.yaml").write_text(text, "utf-8")
    expected = (
        f"site.yaml:{text.count(chr(10))}: deploy.production.bucket 'Not_A_Bucket' is not a bucket name "
        "(hint: 3 to 63 lower-case letters, digits, dots and hyphens; no two dots together, and no IP address)"
    )
    for command in (["build"], ["deploy", "--dry-run"]):
        code, out, err = run_cli("-C", root, *command)
        assert (code, out, err.splitlines()) == (1, "", [expected]), command
    assert read_tree(root / "build") == before


@pytest.mark.parametrize("prefix", ["../../x/", "./", "site/../../x", "a/./b/"])
def test_a_prefix_with_a_dot_or_dot_dot_part_is_refused_naming_the_line(tmp_path, prefix):
    """The store takes the key as written: ../ would not lead up, but ./ and ../ in an
    address do, so the site would be served from elsewhere than it was put."""
    text = BASE + f"deploy:\n  production:\n    bucket: lsh-site\n    prefix: {prefix}\n"
    (tmp_path / "site.yaml").write_text(text, "utf-8")
    with pytest.raises(SiteErrors) as raised:
        load_deploy_targets(tmp_path)
    assert [format_error(e) for e in raised.value.errors] == [
        f"site.yaml:{text.count(chr(10))}: deploy.production.prefix '{prefix}' is not a folder name "
        "(hint: such as site/, or leave it out for the bucket's root)"
    ]


def credentials_refused(line: int, key: str) -> str:
    return (
        f"site.yaml:{line}: {key}: credentials do not belong in site.yaml (hint: credentials come from the "
        "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) or the AWS configuration (AWS_PROFILE, "
        "~/.aws/credentials); take this line out of site.yaml)"
    )


@pytest.mark.parametrize(
    "lines, key",
    [
        ("    aws_secret_access_key: abc\n", "deploy.production.aws_secret_access_key"),
        ("    access_key_id: AKIA\n", "deploy.production.access_key_id"),
        ("    secret_key: abc\n", "deploy.production.secret_key"),
        ("    session_token: abc\n", "deploy.production.session_token"),
        ("    password: abc\n", "deploy.production.password"),
        ("    endpoint: https://AKIA:abc@s3.example.org\n", "deploy.production.endpoint"),
    ],
)
def test_credentials_in_site_yaml_are_refused_naming_the_line(tmp_path, run_cli, lines, key):
    text = BASE + "deploy:\n  production:\n    bucket: lsh-site\n" + lines
    (tmp_path / "site.yaml").write_text(text, "utf-8")
    line = text.count("\n")
    with pytest.raises(SiteErrors) as raised:
        parse_config(text)
    assert [str(e) for e in raised.value.errors] == [credentials_refused(line, key)]
    code, out, err = run_cli("-C", tmp_path, "deploy", "--dry-run")
    assert code == 1 and out == "" and err.splitlines() == [str(raised.value.errors[0])]


@pytest.mark.parametrize("key", ["aws_secret_access_key", "AWS_ACCESS_KEY_ID", "password"])
def test_credentials_beside_the_settings_are_refused_as_in_a_target(key):
    """Not "unknown key 'aws_secret_access_key' (hint: allowed keys: base_url, …)", which said
    nothing of where the secret belongs."""
    text = BASE + f"{key}: abc\n"
    with pytest.raises(SiteErrors) as raised:
        parse_config(text)
    assert [str(e) for e in raised.value.errors] == [credentials_refused(text.count("\n"), key)]


def test_mistakes_in_a_deploy_target_are_reported_with_their_lines():
    text = (
        BASE
        + "deploy:\n  production:\n    bucket: Not_A_Bucket\n    max_deletes: -1\n    region: eu west\n  empty: 3\n"
    )
    with pytest.raises(SiteErrors) as raised:
        parse_config(text)
    first = BASE.count("\n") + 3
    assert [str(e) for e in raised.value.errors] == [
        (
            f"site.yaml:{first}: deploy.production.bucket 'Not_A_Bucket' is not a bucket name "
            "(hint: 3 to 63 lower-case letters, digits, dots and hyphens; no two dots together, and no IP address)"
        ),
        (
            f"site.yaml:{first + 1}: deploy.production.max_deletes -1 is not between 0 and 1,000,000 (hint: the pages a deploy "
            f"may delete without --force, from 0 to 1,000,000 (default {DEFAULT_MAX_DELETES}))"
        ),
        f"site.yaml:{first + 2}: deploy.production.region 'eu west' is not a region (hint: such as eu-west-1)",
        (
            f"site.yaml:{first + 3}: deploy.empty must be a mapping with at least a bucket "
            "(hint: bucket: NAME on the next line, indented)"
        ),
    ]


# --- what SeaweedFS cannot show: website redirects and CloudFront ------------------


def _stubbed(service: str):
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    return client, Stubber(client)


def test_an_old_address_is_uploaded_as_its_redirect_page_with_a_website_redirect(mini_site):
    add_aliases(mini_site, MOU_EN, "[/en/mou/]")
    pipeline.build(mini_site)
    build = mini_site / "build"
    files = deploy.read_build(build)
    target = DeployTarget("production", "lsh-site", "eu-west-1", cloudfront_distribution="E2QWRUHAPOMQZL")
    s3, stub = _stubbed("s3")
    stub.add_response("list_objects_v2", {"KeyCount": 1, "Contents": [{"Key": "en/old/index.html", "ETag": '"0"', "Size": 1}]},
                      {"Bucket": "lsh-site", "Prefix": ""})  # fmt: skip
    plan = deploy.plan_deploy(files, {"en/old/index.html": None})
    for file in plan.uploads:
        data = build.joinpath(file.key).read_bytes()
        expected = {
            "Bucket": "lsh-site", "Key": file.key, "Body": data, "ContentType": file.content_type,
            "CacheControl": file.cache_control, "Metadata": {"md5": hashlib.md5(data).hexdigest()},
            "ContentMD5": base64.b64encode(hashlib.md5(data).digest()).decode(),
        }  # fmt: skip
        if file.key == "en/mou/index.html":
            expected["WebsiteRedirectLocation"] = "/en/news/memorandum-of-understanding/"
        stub.add_response("put_object", {"ETag": '"e"'}, expected)
    stub.add_response(
        "delete_objects",
        {},
        {"Bucket": "lsh-site", "Delete": {"Objects": [{"Key": "en/old/index.html"}], "Quiet": True}},
    )
    cloudfront, cdn_stub = _stubbed("cloudfront")
    from botocore.stub import ANY

    cdn_stub.add_response(
        "create_invalidation",
        {"Location": "l", "Invalidation": {"Id": "I1", "Status": "InProgress", "CreateTime": "2026-12-06T00:00:00Z",
                                           "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/en/old/", "/en/old/index.html"]}, "CallerReference": "r"}}},
        {"DistributionId": "E2QWRUHAPOMQZL",
         "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/en/old/", "/en/old/index.html"]}, "CallerReference": ANY}},
    )  # fmt: skip
    with stub, cdn_stub:
        summary = deploy.deploy(build, target, clients=(s3, cloudfront), workers=1)
        stub.assert_no_pending_responses()
        cdn_stub.assert_no_pending_responses()
    assert summary.invalidated == ("/en/old/", "/en/old/index.html")
    assert "en/mou/index.html" in {file.key for file in plan.uploads}


def test_a_missing_distribution_is_one_line_after_the_files_are_deployed(mini_built):
    root, _ = mini_built
    target = DeployTarget("production", "lsh-site", "eu-west-1", cloudfront_distribution="E2QWRUHAPOMQZL")
    files = deploy.read_build(root / "build")
    s3, stub = _stubbed("s3")
    stub.add_response("list_objects_v2", {"KeyCount": len(files), "Contents": [
        {"Key": f.key, "ETag": f'"{f.md5 if f.key != "index.html" else "0" * 32}"', "Size": f.size} for f in files]})  # fmt: skip
    stub.add_response("put_object", {"ETag": '"e"'})
    cloudfront, cdn_stub = _stubbed("cloudfront")
    cdn_stub.add_client_error(
        "create_invalidation", "NoSuchDistribution", "The specified distribution does not exist.", 404
    )
    with stub, cdn_stub, pytest.raises(SiteError) as raised:
        deploy.deploy(root / "build", target, clients=(s3, cloudfront))
    assert str(raised.value) == (
        "CloudFront has no distribution E2QWRUHAPOMQZL: the files were deployed, the CDN's copies not invalidated "
        "(hint: correct cloudfront_distribution in site.yaml)"
    )


def test_the_security_headers_policy_is_valid_for_cloudfront_and_matches_headers_file(tmp_path, run_cli):
    (tmp_path / "site.yaml").write_text(
        BASE + "embed_hosts: [www.youtube-nocookie.com]\ndeploy:\n  production:\n    bucket: lsh-site\n",
        "utf-8",
    )
    code, out, err = run_cli("-C", tmp_path, "deploy", "--headers-policy")
    assert code == 0, err
    import json

    policy = json.loads(out)
    assert policy["Name"] == "lsh-site-production-headers"
    cloudfront, stub = _stubbed("cloudfront")
    stub.add_response("create_response_headers_policy", {}, {"ResponseHeadersPolicyConfig": policy})
    with stub:  # botocore checks the policy against CloudFront's API model
        cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=policy)
    sent = dict(cdn.security_headers(["www.youtube-nocookie.com"]))
    security = policy["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"]["ContentSecurityPolicy"] == sent["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com" in sent["Content-Security-Policy"]
    hsts = security["StrictTransportSecurity"]
    assert f"max-age={hsts['AccessControlMaxAgeSec']}; includeSubDomains" == sent["Strict-Transport-Security"]
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == sent["Referrer-Policy"]
    assert security["FrameOptions"]["FrameOption"] == sent["X-Frame-Options"]
    assert sent["X-Content-Type-Options"] == "nosniff" and security["ContentTypeOptions"]["Override"]
    assert {(h["Header"], h["Value"]) for h in policy["CustomHeadersConfig"]["Items"]} == {
        ("Permissions-Policy", sent["Permissions-Policy"])
    }
    assert len(sent) == 6  # every header of the policy is one of the checks above


def test_the_progress_bar_draws_on_a_terminal_and_ends_with_a_clean_line(mini_built):
    import io

    root, _ = mini_built
    files = deploy.read_build(root / "build")
    stream = io.StringIO()
    bar = deploy.ProgressBar(stream, files)
    for file in files:
        bar.advance(file)
    bar.close()
    drawn = stream.getvalue()
    assert re.search(rf"\[#{{30}}\] {len(files)}/{len(files)} files, ", drawn)
    assert drawn.endswith("\r\033[K")


def test_a_failed_upload_stops_the_deploy_before_the_pages_and_any_deletion(mini_built):
    root, _ = mini_built
    target = DeployTarget("production", "lsh-site", "eu-west-1")
    s3, stub = _stubbed("s3")
    stub.add_response(
        "list_objects_v2",
        {"KeyCount": 1, "Contents": [{"Key": "en/old/index.html", "ETag": '"0"', "Size": 1}]},
    )
    stub.add_client_error("put_object", "AccessDenied", "Access Denied", 403)
    # No other request is stubbed: an upload of a page or a deletion after the error would fail
    # the test with botocore's own error instead of the deploy's line.
    with stub, pytest.raises(SiteError) as raised:
        deploy.deploy(root / "build", target, clients=(s3, None), workers=1)
    assert str(raised.value) == (
        "s3://lsh-site/ refused the credentials (AccessDenied) (hint: set AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, for an account that may write to the bucket)"
    )
    stub.assert_no_pending_responses()


def test_the_search_policy_for_cloudfront_differs_only_in_allowing_webassembly(tmp_path, run_cli):
    """docs/deploy.md: the search pages and /pagefind/* get a second policy, valid for CloudFront."""
    import json

    (tmp_path / "site.yaml").write_text(BASE + "deploy:\n  production:\n    bucket: lsh-site\n", "utf-8")
    code, out, err = run_cli("-C", tmp_path, "deploy", "--headers-policy", "search")
    assert code == 0, err
    policy = json.loads(out)
    assert policy["Name"] == "lsh-site-production-headers-search"
    cloudfront, stub = _stubbed("cloudfront")
    stub.add_response("create_response_headers_policy", {}, {"ResponseHeadersPolicyConfig": policy})
    with stub:
        cloudfront.create_response_headers_policy(ResponseHeadersPolicyConfig=policy)
    csp = policy["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert csp == cdn.content_security_policy(search=True)
    assert csp.replace(" 'wasm-unsafe-eval'", "") == cdn.CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("bucket", ["lsh..site", "192.168.1.1"])
def test_a_bucket_name_the_stores_refuse_is_refused_before_a_deploy(tmp_path, bucket):
    # Two dots together, or an IPv4 address: S3 refuses the name, and the deploy failed there.
    text = BASE + f"deploy:\n  production:\n    bucket: {bucket}\n"
    with pytest.raises(SiteErrors) as raised:
        parse_config(text)
    assert [str(e) for e in raised.value.errors] == [
        f"site.yaml:{text.count(chr(10))}: deploy.production.bucket '{bucket}' is not a bucket name "
        "(hint: 3 to 63 lower-case letters, digits, dots and hyphens; no two dots together, and no IP address)"
    ]
    (tmp_path / "site.yaml").write_text(BASE + "deploy:\n  production:\n    bucket: lsh.site\n", "utf-8")
    assert [target.bucket for target in load_deploy_targets(tmp_path)] == ["lsh.site"]  # one dot at a time


def test_a_deploy_s_sizes_are_written_with_the_reader_s_marks_as_its_seconds_are():
    summary = deploy.Summary(uploaded=3, unchanged=2, deleted=1, bytes=1_520_000, seconds=0.3)
    assert summary.line("production").show(load_catalogue("nl")) == (
        "production: 3 bestanden geüpload (1,5 MB), 2 ongewijzigd, 1 verwijderd, in 0,3 s"
    )
    assert summary.line("production").show() == (
        "production: uploaded 3 files (1.5 MB), 2 unchanged, deleted 1, in 0.3 s"
    )
    small = deploy.Summary(uploaded=1, unchanged=0, deleted=0, bytes=2_500, seconds=1.0, dry_run=True)
    assert "(2,5 kB)" in small.line("production").show(load_catalogue("nl"))
