"""Type stubs of zkfl's Rust extension. Use the `zkfl` module: it wraps these for numpy."""

from collections.abc import Callable, Sequence
from typing import final

_ArrayIn = tuple[str, str, Sequence[int], bytes]
"""(name, dtype.str, shape, C-order bytes)"""
_ArrayOut = tuple[str, str, list[int], bytes]

class VerificationError(Exception):
    """A round or a history that does not verify; the message names round, chunk and input."""

class InsecureKeyError(VerificationError):
    """A verifying key without a ceremony (or from a fixed seed), refused unless
    allow_insecure_keys=True."""

@final
class Params:
    """The public half of a key directory: circuit shape and verifying-key digest."""
    @staticmethod
    def load(path: str) -> Params: ...
    @staticmethod
    def from_json(text: str) -> Params: ...
    def to_json(self) -> str: ...
    @property
    def slots(self) -> int: ...
    @property
    def chunk(self) -> int: ...
    @property
    def frac_bits(self) -> int: ...
    @property
    def update_bits(self) -> int: ...
    @property
    def model_bits(self) -> int: ...
    @property
    def weight_bits(self) -> int: ...
    @property
    def vk_digest(self) -> str: ...

@final
class Keys:
    """Proving and verifying keys of one circuit shape (a `zkfl setup` directory)."""
    @staticmethod
    def load(dir: str) -> Keys: ...
    @property
    def dir(self) -> str: ...
    @property
    def vk_path(self) -> str: ...
    @property
    def vk_digest(self) -> str: ...
    @property
    def insecure_seed(self) -> int | None: ...
    @property
    def insecurity(self) -> str | None: ...
    @property
    def params(self) -> Params: ...

@final
class Commitment:
    """A public commitment record (`*.commit.json`)."""
    @property
    def hex(self) -> str: ...
    @property
    def d(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def chunk_hashes(self) -> list[str]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Commitment: ...

@final
class Opening:
    """The private opening of a commitment (`*.opening.json`): salts and layout."""
    @property
    def commitment(self) -> str: ...
    @property
    def kind(self) -> str: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Opening: ...

@final
class SignedUpdate:
    """A client's update commitment signed for one round of a task
    (`zkfl-signed-update/1`, what `zkfl commit --task` writes as `*.signed.json`)."""
    @property
    def signer(self) -> str: ...
    @property
    def round(self) -> int: ...
    @property
    def prev_model(self) -> str: ...
    @property
    def commitment(self) -> str: ...
    @property
    def weight(self) -> int: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> SignedUpdate: ...

@final
class RoundResult:
    @property
    def round(self) -> int: ...
    @property
    def bundle_dir(self) -> str: ...
    @property
    def model(self) -> list[_ArrayOut]: ...
    @property
    def model_commitment(self) -> str: ...
    @property
    def new_model_commitment(self) -> str: ...
    @property
    def update_commitments(self) -> list[str]: ...
    @property
    def model_opening(self) -> Opening: ...
    @property
    def chunks(self) -> int: ...
    @property
    def prove_seconds(self) -> float: ...

@final
class PreparedRound:
    @property
    def round(self) -> int: ...
    @property
    def model(self) -> list[_ArrayOut]: ...
    @property
    def model_commitment(self) -> str: ...
    @property
    def new_model_commitment(self) -> str: ...
    @property
    def model_opening(self) -> Opening: ...
    @property
    def update_commitments(self) -> list[str]: ...
    @property
    def chunks(self) -> int: ...
    @property
    def genesis(self) -> bool: ...
    def prove(
        self, out_dir: str, progress: Callable[[int, int], object] | None = None, jobs: int | None = None
    ) -> RoundResult: ...

def read_tensors(path: str) -> list[_ArrayOut]: ...
def setup(
    out_dir: str,
    slots: int,
    chunk: int | None = None,
    *,
    log_domain: int = 16,
    frac_bits: int = 16,
    update_bits: int = 16,
    model_bits: int = 32,
    weight_bits: int = 16,
    norm_bits: int = 64,
    linf_bits: int | None = None,
    seed: int | None = None,
) -> Keys: ...
def commit(
    arrays: Sequence[_ArrayIn], params: Keys | Params, *, clip: bool = False, name: str = "update"
) -> tuple[Commitment, Opening]: ...
def commit_model(
    arrays: Sequence[_ArrayIn], params: Keys | Params, *, clip: bool = False, name: str = "model"
) -> tuple[Commitment, Opening]: ...
def commit_signed(
    arrays: Sequence[_ArrayIn],
    params: Keys | Params,
    *,
    task: str,
    round: int,
    prev_model: str,
    weight: int,
    key: str,
    roster: str | None = None,
    clip: bool = False,
    name: str = "update",
) -> tuple[Commitment, Opening, SignedUpdate]: ...
def check_update(
    params: Keys | Params,
    arrays: Sequence[_ArrayIn],
    opening: Opening,
    linf: float,
    l2: float,
    *,
    commitment: str | None = None,
    name: str = "update",
    client: int = 0,
    clip: bool = False,
) -> None: ...
def prepare_round(
    keys: Keys,
    round: int,
    model: Sequence[_ArrayIn],
    updates: Sequence[tuple[str, Sequence[_ArrayIn], Opening, int]],
    linf: float,
    l2: float,
    *,
    model_opening: Opening | None = None,
    genesis: bool | None = None,
    clip: bool = False,
) -> PreparedRound: ...
def verify_round(
    vk: Keys | str,
    dir: str,
    *,
    allow_insecure_keys: bool = False,
    task: str | None = None,
    roster: str | None = None,
) -> str: ...
def verify_history(
    vk: Keys | str,
    dir: str,
    *,
    allow_insecure_keys: bool = False,
    task: str | None = None,
    roster: str | None = None,
) -> str: ...
