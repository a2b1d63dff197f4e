// The root redirect of the nginx configuration that `site-builder nginx-config` prints: the
// site's language that a visitor's Accept-Language header prefers (RFC 9110, section 12.5.4).
//
// Run by nginx's njs module (js_set), because a `map` of regular expressions can only find a
// tag in the header, not weigh one tag's q-value against another's: "en;q=0.1,nl;q=0.9"
// prefers Dutch although English comes first, and "de-DE,nl;q=0.8" names Dutch second.
//
// Reads $site_languages, the site's language codes separated by spaces, the default first.
// Answers "/<code>/" for the language to send the visitor to, or "" to serve the language
// chooser at / itself: when the request has no usable Accept-Language (crawlers send none),
// and when the header refuses (q=0) every language the site has.
//
// Written for njs 0.7 (Debian 12's libnginx-mod-http-js): ES5 with `export default`.

var RANGE = /^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/;
var QVALUE = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/;

// The header's language ranges, in order: [{range: "nl-be", q: 0.8, position: 0}, ...].
// An entry that is not a language range, or whose q-value is malformed, is passed over. The
// work is bounded by nginx, which refuses a request line or header over its buffers (8 KB).
function ranges(header) {
    var found = [];
    var parts = String(header).split(",");
    for (var i = 0; i < parts.length; i++) {
        var params = parts[i].split(";");
        var range = params[0].trim().toLowerCase();
        if (!RANGE.test(range)) {
            continue;
        }
        var q = 1;
        var valid = true;
        for (var j = 1; j < params.length; j++) {
            var param = params[j].trim().toLowerCase();
            var equals = param.indexOf("=");
            if (equals < 0 || param.slice(0, equals).trim() !== "q") {
                continue; // another parameter: not part of the weight
            }
            var value = param.slice(equals + 1).trim();
            if (!QVALUE.test(value)) {
                valid = false;
                break;
            }
            q = parseFloat(value);
        }
        if (valid) {
            found.push({range: range, q: q, position: found.length});
        }
    }
    return found;
}

// How much the visitor wants `code`: {q, position} of the range that decides, or null when
// the header does not mention it. The range equal to the code decides; else the best of
// those that share its beginning ("nl-BE" for "nl", or "pt" for "pt-br"); else "*".
function weight(found, code) {
    var exact = null;
    var related = null;
    var any = null;
    for (var i = 0; i < found.length; i++) {
        var entry = found[i];
        if (entry.range === code) {
            if (exact === null) {
                exact = entry;
            }
        } else if (entry.range.indexOf(code + "-") === 0 || code.indexOf(entry.range + "-") === 0) {
            if (related === null || entry.q > related.q) {
                related = entry;
            }
        } else if (entry.range === "*" && any === null) {
            any = entry;
        }
    }
    return exact || related || any;
}

// The language to send the visitor to: "/nl/", or "" for the language chooser.
function choose(header, languages) {
    var codes = languages.split(" ").filter(function (code) { return code !== ""; });
    var found = ranges(header || "");
    if (found.length === 0 || codes.length === 0) {
        return "";
    }
    var best = null;
    var unnamed = [];
    for (var i = 0; i < codes.length; i++) {
        var chosen = weight(found, codes[i]);
        if (chosen === null) {
            unnamed.push(codes[i]);
            continue;
        }
        if (chosen.q === 0) {
            continue; // q=0: "not acceptable"
        }
        // Highest q; of equal ones the range named first; of the same range the site's order.
        if (best === null || chosen.q > best.q || (chosen.q === best.q && chosen.position < best.position)) {
            best = {code: codes[i], q: chosen.q, position: chosen.position};
        }
    }
    if (best !== null) {
        return "/" + best.code + "/";
    }
    if (unnamed.length === 0) {
        return ""; // every language of the site refused: let the visitor choose
    }
    // None of the site's languages wanted, some not refused either: the first of those, which
    // is the default language unless the header refused it.
    return "/" + unnamed[0] + "/";
}

function home(r) {
    return choose(r.headersIn["Accept-Language"], r.variables.site_languages || "");
}

export default {home: home};
