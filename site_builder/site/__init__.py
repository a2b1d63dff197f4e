"""The site model: pages, their translations and the navigation, built from what was read."""
