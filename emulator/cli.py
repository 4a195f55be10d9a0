"""`python -m emulator …`: serve the emulator, or drive a running one over HTTP."""
import argparse
import json
import os
import sys
import threading

import httpx

DEFAULT_URL = "http://127.0.0.1:8765"
DEMO = "demo-apparel.myshopify.com"


def _variant_key(ident: str) -> str:
    return "variant_id" if ident.isdigit() or ident.startswith("gid://") else "sku"


def _order_lines(specs: list[str]) -> list[dict]:
    lines = []
    for spec in specs:
        ident, _, quantity = spec.partition(":")
        lines.append({_variant_key(ident): ident, "quantity": int(quantity or 1)})
    return lines


def _shop(a) -> str:
    return f"/emulator/shops/{a.shop}"


# name: (help, [(flag, options)], args -> (method, path, JSON body))
COMMANDS = {
    "register": ("register or configure the app",
                 [("--client-id", {}), ("--client-secret", {}), ("--previous-secret", {}), ("--app-url", {}),
                  ("--scopes", {"help": "comma-separated"})],
                 lambda a: ("POST", "/emulator/app", {k: v for k, v in {
                     "client_id": a.client_id, "client_secret": a.client_secret,
                     "previous_secret": a.previous_secret, "app_url": a.app_url,
                     "scopes": a.scopes.split(",") if a.scopes else None}.items() if v})),
    "seed": ("seed the demo shop", [], lambda a: ("POST", "/emulator/seed", {"shop": a.shop})),
    "place-order": ("a customer checks out",
                    [("--customer-id", {}), ("--line", {"action": "append", "required": True,
                                                        "help": "VARIANT_ID_OR_SKU:QUANTITY"})],
                    lambda a: ("POST", f"{_shop(a)}/orders", {"customer_id": a.customer_id,
                                                              "lines": _order_lines(a.line)})),
    "adjust-inventory": ("change available stock",
                         [("--variant", {"required": True, "help": "variant id, GID or SKU"}),
                          ("--delta", {"type": int, "required": True}), ("--location-id", {})],
                         lambda a: ("POST", f"{_shop(a)}/inventory", {_variant_key(a.variant): a.variant,
                                                                      "delta": a.delta,
                                                                      "location_id": a.location_id})),
    "set-metafield": ("set a product metafield",
                      [("--product-id", {"required": True}), ("--namespace", {"required": True}),
                       ("--key", {"required": True}), ("--value", {"required": True}), ("--type", {})],
                      lambda a: ("POST", f"{_shop(a)}/metafields", {
                          "owner_id": a.product_id, "namespace": a.namespace, "key": a.key, "value": a.value,
                          "type": a.type})),
    "product": ("show a product as JSON", [("product_id", {})],
                lambda a: ("GET", f"{_shop(a)}/products/{a.product_id}", None)),
    "uninstall": ("uninstall the app", [], lambda a: ("POST", f"{_shop(a)}/uninstall", {})),
    "compliance": ("send a compliance webhook",
                   [("topic", {"choices": ["customers-data_request", "customers-redact", "shop-redact"]}),
                    ("--customer-id", {})],
                   lambda a: ("POST", f"{_shop(a)}/compliance/{a.topic}", {"customer_id": a.customer_id})),
    "fault": ("make GraphQL calls fail",
              [("kind", {"choices": ["http_500", "http_502", "http_503", "http_429", "throttled"]}),
               ("--count", {"type": int}), ("--seconds", {"type": float})],
              lambda a: ("POST", f"{_shop(a)}/faults", {"kind": a.kind, "count": a.count, "seconds": a.seconds})),
    "session-token": ("mint an App Bridge ID token", [("--user-id", {"default": 1})],
                      lambda a: ("POST", "/emulator/session-token", {"shop": a.shop, "user_id": a.user_id})),
    "stats": ("counters for a shop", [], lambda a: ("GET", f"{_shop(a)}/stats", None)),
    "deliveries": ("list webhook deliveries", [("--topic", {})],
                   lambda a: ("GET", "/emulator/deliveries" + (f"?topic={a.topic}" if a.topic else ""), None)),
    "reset": ("forget all shops", [], lambda a: ("POST", "/emulator/reset", {})),
    "flash-sale": ("many orders against a low-stock variant",
                   [("--orders", {"type": int, "default": 50}), ("--variant-id", {})],
                   lambda a: ("POST", f"{_shop(a)}/scenarios/flash-sale", {"orders": a.orders,
                                                                           "variant_id": a.variant_id})),
    "supplier-delay": ("push a product's restock date out", [("product_id", {}), ("--days", {"type": int,
                                                                                             "default": 14})],
                       lambda a: ("POST", f"{_shop(a)}/scenarios/supplier-delay", {"product_id": a.product_id,
                                                                                   "days": a.days})),
    "restock": ("stock arrives", [("--variant-id", {}), ("--product-id", {}),
                                  ("--quantity", {"type": int, "default": 20})],
                lambda a: ("POST", f"{_shop(a)}/scenarios/restock", {
                    "variant_id": a.variant_id, "product_id": a.product_id, "quantity": a.quantity})),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--url", default=None, help=f"running emulator (default $EMULATOR_URL or {DEFAULT_URL})")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the emulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--seed", action=argparse.BooleanOptionalAction, default=True,
                       help=f"seed {DEMO} at start (default: yes)")
    for flag in ("--client-id", "--client-secret", "--previous-secret", "--app-url", "--scopes"):
        serve.add_argument(flag, help="app registration (else EMULATOR_* or SHOPIFY_API_KEY/SECRET, APP_URL)")
    for name, (help_text, arguments, _) in COMMANDS.items():
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--shop", default=DEMO)
        for flag, options in arguments:
            command.add_argument(flag, **options)
    return parser


def serve(args) -> None:
    from werkzeug.serving import run_simple

    from . import create_app
    from .seed import seed_demo
    app = create_app()
    emulator = app.extensions["emulator"]
    registration = {key: getattr(args, key) for key in ("client_id", "client_secret", "previous_secret", "app_url")
                    if getattr(args, key)}
    if args.scopes:
        registration["scopes"] = args.scopes.split(",")
    if registration:
        emulator.register_app(registration)
    if args.seed:
        seed_demo(emulator.store)
    # Build the schema (a few seconds) while the port is already answering; early GraphQL calls wait for it.
    threading.Thread(target=emulator.schema, args=(app.config["API_VERSIONS"][0],), daemon=True).start()
    run_simple(args.host, args.port, app, threaded=True)


def main(argv=None, environ=None) -> int:
    environ = os.environ if environ is None else environ
    args = _parser().parse_args(argv)
    if args.command == "serve":
        serve(args)
        return 0
    base = args.url or environ.get("EMULATOR_URL") or DEFAULT_URL
    method, path, payload = COMMANDS[args.command][2](args)
    response = httpx.request(method, base.rstrip("/") + path, json=payload, timeout=60, trust_env=False)
    print(json.dumps(response.json(), ensure_ascii=False, indent=2))
    return 0 if response.is_success else 1


if __name__ == "__main__":
    sys.exit(main())
