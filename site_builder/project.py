"""The project folder's layout: the files and folders a build reads.

Plain names, with nothing to import: a build that finds nothing changed looks at
these before it loads any stage.
"""

CONFIG_FILE = "site.yaml"
MAPPING_FILE = "babel.cfg"  # where pybabel finds the UI strings
CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"
ASSETS_DIR = "assets"
TRANSLATIONS_DIR = "translations"
INPUT_DIRS = (CONTENT_DIR, TEMPLATES_DIR, ASSETS_DIR, TRANSLATIONS_DIR)
# Everything a build reads from the project folder.
INPUTS = (CONFIG_FILE, MAPPING_FILE) + INPUT_DIRS
