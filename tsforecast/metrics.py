"""Old path of :mod:`tsforecast.core.metrics`, kept so that code written for it still imports.

The name stands for the module itself (one module object, also for ``mock.patch``).
"""

import importlib
import sys

sys.modules[__name__] = importlib.import_module(".core.metrics", __package__)
