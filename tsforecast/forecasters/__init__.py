"""The forecaster contract (:mod:`.base`) and the forecasters built on it: the window
forecaster, weighted combinations and conformal intervals with their calibration.
"""
