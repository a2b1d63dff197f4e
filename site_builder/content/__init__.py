"""Reading the project: YAML, front matter, content files, and new files from the command line."""
