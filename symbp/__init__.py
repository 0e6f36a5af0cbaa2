"""symbp: exact, step-by-step backpropagation derivations for small feed-forward networks.

>>> import symbp
>>> d = symbp.derive("examples/seed000_linear_2-2-1.yaml")
>>> d.gradients["w1"], d.updated["w6"], d.loss_after
"""

from symbp.engine.chains import Chain, Factor, Path
from symbp.engine.derivation import Derivation, derive
from symbp.engine.graph import Network, build_network
from symbp.engine.spec import Spec, SpecError, load_spec, parse_spec

__all__ = [
    "Chain",
    "Derivation",
    "Factor",
    "Network",
    "Path",
    "Spec",
    "SpecError",
    "build_network",
    "derive",
    "load_spec",
    "parse_spec",
]
__version__ = "0.1.0"
