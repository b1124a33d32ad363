"""Old path of :mod:`tsforecast.reporting.plotting`, kept so that code written for it still imports.

The name stands for the module itself (one module object, also for ``mock.patch``).
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module(".reporting.plotting", __package__)
