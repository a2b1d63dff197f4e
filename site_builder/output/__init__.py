"""Writing the site: atomic publishing to the output folder, and the files a CDN reads."""
