"""Command line for the EHR interface: list and send the outbox, write a signed note's DocumentReference."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facetdesk.services.context import AppContext

EXIT_OK, EXIT_FAILURE = 0, 1

Context = Callable[[argparse.Namespace], "AppContext"]


def add_parsers(sub) -> None:
    ob = sub.add_parser(
        "outbox",
        help="list the signed notes on their way to the EHR (pending, sent, failed); --send sends what is due",
    )
    ob.add_argument("--send", action="store_true", help="send the due messages now (folder and MLLP)")
    ob.add_argument("--retry", type=int, metavar="MESSAGE_ID", help="put a failed message back in the queue")
    doc = sub.add_parser(
        "document",
        help="write a signed procedure's note as a FHIR DocumentReference (JSON, the signed PDF attached)",
    )
    doc.add_argument("procedure_id", type=int)
    doc.add_argument("-o", "--output", required=True, metavar="FILE")


def cmd_outbox(args: argparse.Namespace, context: Context) -> int:
    from facetdesk.services.records import NotFound

    ctx = context(args)
    try:
        if args.retry is not None:
            ctx.outbox.retry(args.retry)
        if args.send or args.retry is not None:
            report = ctx.outbox.deliver_due()
            print(f"sent {report.sent}, to retry later {report.retrying}, failed {report.failed}")
        # Ids, kinds, destinations and results only: the patient's name stays in the app's own view.
        for e in ctx.outbox.entries():
            print(
                f"{e.id}\t{e.status.value}\t{e.kind.value}\t{e.destination.value} {e.target}\t"
                f"procedure {e.procedure_id}\tattempts {e.attempts}\t{e.last_error}"
            )
    except NotFound as exc:
        print(f"facetdesk: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        ctx.close()
    return EXIT_OK


def cmd_document(args: argparse.Namespace, context: Context) -> int:
    from facetdesk.services.records import NotFound

    ctx = context(args)
    try:
        path = ctx.cases.export_document(args.procedure_id, args.output)
    except NotFound as exc:
        print(f"facetdesk: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        print(f"facetdesk: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        ctx.close()
    print(f"wrote {path}")
    return EXIT_OK
