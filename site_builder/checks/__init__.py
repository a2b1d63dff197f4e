"""What a build finds wrong in the site it made: links, unsafe HTML, translations, catalogues."""
