"""The core: the Panel and its user forms, time axes, argument checks, declared parameters,
covariates, compiled kernels, windows, splitters and metrics. It imports nothing of the
package above it (only :mod:`tsforecast.exceptions`).
"""
