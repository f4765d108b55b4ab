"""Figures from outside: values of indicators that no record in the system yields
(statistics bureau numbers and the like), entered or imported, confirmed or returned.

`services` writes, `selectors` reads, `importers` holds the Excel column spec; the model
`ExternalFigure` stays in `indicators/models.py`.
"""
