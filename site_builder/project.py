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
# The texts translations were made from, kept by ``translations done`` and committed with them
# (see content/translated.py). Not an input: no build reads it, and the preview's status page,
# which does, is built again whenever a translation is marked done, since that edits content/.
TRANSLATED_DIR = ".translated"


def stamp(status) -> tuple[int, int, int, int]:
    """What tells a file's versions apart without reading it (``status`` is its ``os.stat``):
    its size and modification time, and its change time and inode, which move when a file of
    the same size and modification time is put in its place (``cp -p``, ``rsync -t``, an
    archive unpacked, a symbolic link pointed elsewhere)."""
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
