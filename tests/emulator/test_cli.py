"""`python -m emulator`: the CLI drives a running emulator over HTTP."""
import json

from tests.emulator.emu_helpers import SHOP

from emulator.cli import main


def test_cli_seeds_orders_and_reads_state(live, capsys):
    def run(*argv):
        code = main(["--url", live, *argv], environ={})
        return code, json.loads(capsys.readouterr().out)
    code, seeded = run("seed")
    assert code == 0 and seeded["shop"] == SHOP
    code, order = run("place-order", "--line", "DA-LIMITEDCOL-BLK-M:2")
    assert code == 0 and order["line_items"][0]["quantity"] == 2
    code, adjusted = run("adjust-inventory", "--variant", "DA-LIMITEDCOL-BLK-M", "--delta", "-1")
    assert adjusted["available"] == 2
    product_id = str(order["line_items"][0]["product_id"])
    code, _ = run("set-metafield", "--product-id", product_id, "--namespace", "stockout", "--key", "restock_date",
                  "--value", "2026-12-24", "--type", "date")
    code, product = run("product", product_id)
    assert product["metafields"] == {"stockout.restock_date": "2026-12-24"}
    code, failure = run("product", "999999")
    assert code == 1 and "error" in failure
    code, token = run("session-token")
    assert token["token"].count(".") == 2
