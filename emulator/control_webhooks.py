"""/emulator/deliveries and /emulator/webhooks: what was sent, and how the next sends misbehave."""
from flask import Blueprint, jsonify, request

from .control_helpers import NotFound, body, install_error_handlers
from .runtime import current

bp = Blueprint("control_webhooks", __name__, url_prefix="/emulator")
install_error_handlers(bp)


@bp.get("/deliveries")
def deliveries():
    """Every delivery with its attempts; filter by ?topic=&shop=&status=; ?body=0 leaves bodies out."""
    found = current().dispatcher.deliveries(topic=request.args.get("topic"), shop=request.args.get("shop"),
                                            status=request.args.get("status"))
    with_body = request.args.get("body", "1") != "0"
    return jsonify(deliveries=[d.describe(with_body) for d in found])


@bp.post("/deliveries/<delivery_id>/redeliver")
def redeliver(delivery_id: str):
    """Send one recorded delivery again with the same body, signature, webhook id and event id."""
    try:
        delivery = current().dispatcher.redeliver(delivery_id)
    except KeyError:
        raise NotFound(f"no delivery {delivery_id}") from None
    return jsonify(delivery=delivery.describe(with_body=False))


@bp.post("/deliveries/clear")
def clear_deliveries():
    current().dispatcher.clear()
    return jsonify(ok=True)


@bp.post("/webhooks/rules")
def add_rule():
    """Body: {action: duplicate|delay|hold|drop, topic?, shop?, count?, seconds?} for the next matching sends."""
    data = body()
    rule = current().dispatcher.rules.add(data["action"], topic=data.get("topic", "*"), shop=data.get("shop"),
                                          count=int(data.get("count", 1)), seconds=float(data.get("seconds", 0)))
    return jsonify(rule=vars(rule))


@bp.post("/webhooks/chaos")
def set_chaos():
    """Body: {duplicate?, reorder?, drop?, delay?, max_delay?, seed?}: probabilities per delivery."""
    data = body()
    current().dispatcher.rules.set_chaos(**{k: data[k] for k in ("duplicate", "reorder", "drop", "delay",
                                                                 "max_delay", "seed") if k in data})
    return jsonify(current().dispatcher.rules.describe())


@bp.delete("/webhooks/rules")
def clear_rules():
    current().dispatcher.rules.clear()
    return jsonify(ok=True)


@bp.get("/webhooks/rules")
def list_rules():
    return jsonify(current().dispatcher.rules.describe())


@bp.post("/webhooks/release")
def release():
    """Send held deliveries now (all, or body {ids: [...]}), after the ones already sent."""
    ids = body().get("ids")
    return jsonify(released=current().dispatcher.release(ids))


@bp.post("/webhooks/wait")
def wait():
    """Block until nothing is queued or in flight (held ones excepted), up to {timeout} seconds."""
    timeout = float(body().get("timeout", 10))
    return jsonify(idle=current().dispatcher.wait_idle(timeout))
