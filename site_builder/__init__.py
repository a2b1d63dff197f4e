"""A static site generator for the bilingual Life Sciences & Health Amsterdam site.

The build is a pipeline of stages, one module each::

    config → load (frontmatter) → model → markup → render, feeds, assets → check → write

``pipeline.build`` runs them in order; ``cli`` and ``serve`` sit on top.
"""

__version__ = "0.1.0"
