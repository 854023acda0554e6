from . import distributed as distributed
from ._metagraph import ApproximationWarning as ApproximationWarning
from ._metagraph import from_metagraph as from_metagraph
from ._yuma import *
