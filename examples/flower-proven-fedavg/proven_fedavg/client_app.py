"""The ClientApp: local softmax-regression training, committed by `zkfl_commit_mod`.

The node config picks the partition and, for the tests, a behaviour:
- `honest` (default): trains, clips its update to the announced bounds, commits.
- `mismatch`: commits honestly, then changes the arrays it sends (`tamper_mod` runs after
  the commitment was attached), so the arrays no longer open its commitment.
- `overbound`: commits to an update that breaks the L∞ bound.
"""

from __future__ import annotations

import numpy as np
from flwr.app import Array, ArrayRecord, Context, Message, MessageType, MetricRecord, RecordDict
from flwr.clientapp import ClientApp
from flwr.clientapp.typing import ClientAppCallable

from zkfl.flwr import KEY_L2, KEY_LINF, zkfl_commit_mod

from .task import clip_update, load_data, train


def _behaviour(context: Context) -> str:
    return str(context.node_config.get("behaviour", "honest"))


def tamper_mod(msg: Message, context: Context, call_next: ClientAppCallable) -> Message:
    """Test variant `mismatch`: alter the sent arrays after zkfl committed to them."""
    reply = call_next(msg, context)
    if msg.metadata.message_type != MessageType.TRAIN or reply.has_error() or _behaviour(context) != "mismatch":
        return reply
    key, record = next(iter(reply.content.array_records.items()))
    arrays = {name: record[name].numpy().copy() for name in record.keys()}
    arrays["bias"][0] += np.float32(0.001)
    reply.content[key] = ArrayRecord({name: Array(a) for name, a in arrays.items()})
    return reply


# Mods listed first wrap the ones after them: zkfl_commit_mod sees (and commits to) what the
# ClientApp returns; tamper_mod, outside it, changes the arrays afterwards.
app = ClientApp(mods=[tamper_mod, zkfl_commit_mod])


@app.train()
def train_fn(msg: Message, context: Context) -> Message:
    """Train on this node's partition and reply with the new model and its sample count."""
    received = {name: arr.numpy() for name, arr in msg.content["arrays"].items()}
    config = msg.content["config"]
    partition = int(context.node_config.get("partition-id", 0))
    x, y = load_data(seed=100 + partition, n=200)
    cfg = context.run_config
    trained = train(received, x, y, epochs=int(cfg["local-epochs"]), lr=float(cfg["learning-rate"]))
    trained = clip_update(trained, received, float(config[KEY_LINF]), float(config[KEY_L2]))
    if _behaviour(context) == "overbound":
        trained["weight"][0, 0] = received["weight"][0, 0] + np.float32(1.5 * float(config[KEY_LINF]))
    content = RecordDict(
        {
            "arrays": ArrayRecord({name: Array(a) for name, a in trained.items()}),
            "metrics": MetricRecord({"num-examples": len(y)}),
        }
    )
    return Message(content=content, reply_to=msg)
