"""From the site model to the site's files: Markdown, templates, feeds, assets."""
