"""FacetDesk: facet joint procedure documentation and decision support."""

__version__ = "0.1.0"
