"""Compiled (numba) loops over many series at once, each over one values array and the
``starts``/``ends`` offsets of its series (see :class:`tsforecast.core.panel.Panel`).
"""
