"""Command line: starts the GUI, or exports, imports and renders case files without a display."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from facetdesk import __version__

if TYPE_CHECKING:
    from facetdesk.domain.errors import InvalidRecord

# The commands import what they use (the domain's errors, json, the EHR commands) when they run: the desktop
# app, started through here, paints its first window before any of it is needed.

EXIT_OK, EXIT_FAILURE, EXIT_INVALID = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from facetdesk import cli_ehr

    p = argparse.ArgumentParser(
        prog="facetdesk", description="Facet joint procedure documentation and decision support."
    )
    p.add_argument("--version", action="version", version=f"FacetDesk {__version__}")
    p.add_argument(
        "--db",
        metavar="URL",
        help="database URL or SQLite file path (default: $FACETDESK_DB, else a SQLite file in the user data directory)",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("gui", help="start the desktop app (the default)")
    ex = sub.add_parser("export-case", help="write one stored procedure as a self-contained JSON case file")
    ex.add_argument("procedure_id", type=int, metavar="PROCEDURE_ID")
    ex.add_argument("-o", "--output", required=True, metavar="FILE")
    ex.add_argument(
        "--with-image-originals",
        action="store_true",
        help="also write each image's original file; a DICOM file's header names the patient (default: the "
        "de-identified renderings only)",
    )
    _shared_option(ex)
    im = sub.add_parser("import-case", help="store the patient and procedures of a JSON case file")
    im.add_argument("case_file", metavar="FILE")
    note = sub.add_parser(
        "note",
        help="render the PDF procedure note of a case file (no display needed)",
        description="Render the PDF procedure note of a case file: note CASE -o PDF. With --batch, render every "
        "case file named (a folder stands for its *.json files) to OUTDIR/<name>.pdf, one worker process per CPU.",
    )
    note.add_argument("case_files", nargs="+", metavar="FILE", help="a case file; with --batch, case files or folders")
    note.add_argument("-o", "--output", required=True, metavar="PDF", help="the PDF; with --batch, the output folder")
    note.add_argument("--page-size", choices=("letter", "a4"), default="letter")
    note.add_argument("--batch", action="store_true", help="render many case files to a folder")
    note.add_argument(
        "--handout",
        action="store_true",
        help="also write the patient's handout (discharge instructions and pain diary sheet) beside the note, "
        "as NOTE-handout.pdf",
    )
    _shared_option(note)
    note.add_argument(
        "--jobs", type=_positive_int, metavar="N", help="with --batch: worker processes (default: one per CPU)"
    )
    sub.add_parser("schema", help="print the JSON Schema of case files")
    check = sub.add_parser(
        "check",
        help="evaluate the decision-support rules on a case file (JSON findings)",
        description=(
            "Each finding: rule, severity (info, caution, warning, critical), status (met, not_met, not_evaluated: "
            "data missing, not_applicable: the rule does not apply to this case, advisory: information such as an "
            "off-label use, no check), verdict (the rule's answer where it "
            "has one: a diagnostic block's positive / negative / indeterminate / not evaluated; RF candidacy's "
            "candidate / not yet / not a candidate; comparative blocks' concordant / discordant / not concordant), "
            "message, source, field, unconfirmed, override. docs/rules.md defines each verdict."
        ),
    )
    check.add_argument("case_file", metavar="FILE")
    check.add_argument("--text", action="store_true", help="print the findings for people instead of JSON")
    fhir = sub.add_parser("fhir", help="write a case file's procedure as a FHIR R4 bundle (JSON) for an EHR")
    fhir.add_argument("case_file", metavar="FILE")
    fhir.add_argument("-o", "--output", required=True, metavar="BUNDLE", help="the bundle's JSON file")
    _shared_option(fhir)
    bk = sub.add_parser("backup", help="copy the SQLite database to a backup file (safe while the app runs)")
    bk.add_argument(
        "-o", "--output", metavar="FILE", help="backup file to write (default: a new file in the backup folder)"
    )
    rs = sub.add_parser("restore", help="replace the SQLite database with a backup (the current one is kept)")
    rs.add_argument("backup_file", metavar="FILE")
    rs.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub.add_parser(
        "verify",
        help="check the audit chain, every signature (cryptographically) and every record against its last "
        "audited change; exit 1 if anything was changed or forged",
    )
    ca = sub.add_parser(
        "export-ca", help="write the clinic CA's certificate (PEM), to trust signed notes in PDF readers"
    )
    ca.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    tc = sub.add_parser(
        "trust-ca", help="trust another clinic's CA certificate (PEM) for signatures in case files it exported"
    )
    tc.add_argument("certificate", metavar="FILE")
    ua = sub.add_parser("add-user", help="add a local account (the first one is made an administrator)")
    ua.add_argument("username", metavar="USERNAME")
    ua.add_argument("--name", required=True, help="name as printed on signatures, e.g. 'Dr. A. Example'")
    ua.add_argument("--role", choices=("physician", "nurse"), required=True)
    ua.add_argument("--admin", action="store_true", help="may manage accounts, clinic settings and the audit log")
    ua.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input instead of asking"
    )
    _add_outcomes_parser(sub)
    cli_ehr.add_parsers(sub)
    _add_move_parser(sub)
    st = sub.add_parser(
        "self-test",
        help="check that this installation works: a synthetic record in a temporary database, the window "
        "offscreen, the note previewed, signed and verified; exit 1 naming what failed",
        description="Check that this installation of FacetDesk works, without a display and without touching your "
        "data: a new database in a temporary folder (deleted afterwards), a synthetic patient and procedure with a "
        "DICOM image, the main window on Qt's offscreen platform, the procedure opened in the editor, its note "
        "previewed and read back, then signed, verified and exported as FHIR. Exit 0 when every step passed; 1, "
        "naming the step that failed and why, otherwise. --db and FACETDESK_DB are ignored.",
    )
    st.add_argument("--screenshot", metavar="PNG", help="also save a picture of the main window to this file")
    return p


def _report_invalid(source: str, exc: InvalidRecord, heading: str = "invalid case file") -> int:
    print(f"{source}: {heading}", file=sys.stderr)
    for err in exc.errors:
        print(f"  {err}", file=sys.stderr)
    return EXIT_INVALID


def _report_unwritable(path: str, exc: OSError) -> int:
    print(f"facetdesk: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_FAILURE


def _command_line_actor():
    import getpass

    from facetdesk.domain.users import Actor
    from facetdesk.services.session import workstation_name

    # The command line acts for the operating-system account that ran it; the audit log says so.
    return Actor.command_line(getpass.getuser(), workstation_name())


def _context(args: argparse.Namespace):
    from facetdesk.services.context import build_context

    return build_context(args.db, actor=_command_line_actor())


def _cmd_export(args: argparse.Namespace) -> int:
    from facetdesk.interop.casefile import write_case
    from facetdesk.services.records import NotFound

    ctx = _context(args)
    try:
        case = ctx.cases.export_case(args.procedure_id, originals=args.with_image_originals)
        write_case(case, args.output, shared=args.shared)
    except NotFound as exc:
        print(f"facetdesk: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OSError as exc:
        return _report_unwritable(args.output, exc)
    finally:
        ctx.close()
    print(f"wrote {args.output}")
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from facetdesk.domain.errors import InvalidRecord
    from facetdesk.interop.casefile import read_case

    try:
        case = read_case(args.case_file)
    except InvalidRecord as exc:
        return _report_invalid(args.case_file, exc)
    ctx = _context(args)
    try:
        result = ctx.cases.import_case(case)
    except InvalidRecord as exc:
        return _report_invalid(args.case_file, exc, "not imported (nothing was written)")
    finally:
        ctx.close()
    print(
        f"imported: patient id {result.patient_id} ({'new' if result.patient_created else 'existing'}), "
        f"procedure id {result.procedure_id}; {result.procedures_added} procedure(s) added, "
        f"{result.procedures_already_present} already present"
    )
    return EXIT_OK


def _shared_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shared",
        action="store_true",
        help="let other users of this computer read the file as your umask allows (e.g. a folder an EHR "
        "interface reads); by default only you can read it",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def _cmd_note(args: argparse.Namespace) -> int:
    from facetdesk.domain.errors import InvalidRecord

    if args.batch:
        return _cmd_note_batch(args)
    if len(args.case_files) > 1 or args.jobs is not None:
        print("facetdesk note: give one case file, or add --batch to render several", file=sys.stderr)
        return EXIT_INVALID
    from facetdesk.interop.casefile import read_case
    from facetdesk.services.notes import render_case_pdf, write_pdf
    from facetdesk.services.rendering import render_case_handout

    case_file = args.case_files[0]
    try:
        case = read_case(case_file)
    except InvalidRecord as exc:
        return _report_invalid(case_file, exc)
    outputs = [(args.output, render_case_pdf(case, page_size=args.page_size))]
    if args.handout:
        # Beside the note: NOTE.pdf and NOTE-handout.pdf.
        path = Path(args.output)
        outputs.append((str(path.with_name(f"{path.stem}-handout{path.suffix or '.pdf'}")),
                        render_case_handout(case, page_size=args.page_size)))  # fmt: skip
    for output, pdf in outputs:
        try:
            write_pdf(pdf, output, shared=args.shared)
        except OSError as exc:
            return _report_unwritable(output, exc)
        print(f"wrote {output}")
    return EXIT_OK


def _cmd_note_batch(args: argparse.Namespace) -> int:
    from facetdesk.services.batch_notes import case_files, render_batch

    files = case_files(args.case_files)
    if not files:
        print("facetdesk note: no case files (*.json) in " + ", ".join(args.case_files), file=sys.stderr)
        return EXIT_INVALID
    try:
        report = render_batch(files, args.output, jobs=args.jobs, page_size=args.page_size, shared=args.shared)
    except OSError as exc:
        return _report_unwritable(args.output, exc)
    for outcome in report.outcomes:
        if outcome.invalid:
            print(f"{outcome.source}: invalid case file", file=sys.stderr)
            for error in outcome.invalid:
                print(f"  {error}", file=sys.stderr)
        elif outcome.failure:
            print(f"{outcome.source}: {outcome.failure}", file=sys.stderr)
    processes = f"{report.workers} process{'es' if report.workers > 1 else ''}"
    print(
        f"{report.rendered} rendered, {report.failed} failed, {report.seconds:.1f} s ({processes}); "
        f"notes in {args.output}"
    )
    if report.invalid:
        return EXIT_INVALID
    return EXIT_FAILURE if report.failed else EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    import json

    from facetdesk.domain.catalog import get_catalog
    from facetdesk.domain.errors import InvalidRecord
    from facetdesk.interop.casefile import read_case
    from facetdesk.services.decision import check_case

    try:
        case = read_case(args.case_file)
    except InvalidRecord as exc:
        return _report_invalid(args.case_file, exc)
    findings = check_case(case, get_catalog())
    if args.text:
        for f in findings:
            override = case.procedure.override_for(f.rule)
            print(f"[{f.severity.value.upper():8}] {f.status.value:13} {f.rule}: {f.message}")
            print(f"{'':24}Source: {f.source}")
            if override is not None:
                print(f"{'':24}Acknowledged by {override.acknowledged_by}: {override.reason}")
    else:
        print(json.dumps([_finding_json(f, case) for f in findings], indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_fhir(args: argparse.Namespace) -> int:
    from facetdesk.domain.catalog import get_catalog
    from facetdesk.domain.errors import InvalidRecord
    from facetdesk.interop.casefile import read_case
    from facetdesk.services.fhir_export import fhir_bundle_for_case, write_fhir_bundle

    try:
        case = read_case(args.case_file)
    except InvalidRecord as exc:
        return _report_invalid(args.case_file, exc)
    text = fhir_bundle_for_case(case, get_catalog())
    try:
        write_fhir_bundle(text, args.output, shared=args.shared)
    except OSError as exc:
        return _report_unwritable(args.output, exc)
    print(f"wrote {args.output}")
    return EXIT_OK


def _finding_json(finding, case) -> dict:
    data = finding.model_dump(mode="json")
    override = case.procedure.override_for(finding.rule)
    data["override"] = override.model_dump(mode="json") if override else None
    return data


def _cmd_schema(args: argparse.Namespace) -> int:
    import json

    from facetdesk.interop.casefile import case_schema

    print(json.dumps(case_schema(), indent=2))
    return EXIT_OK


def _backups(args: argparse.Namespace):
    from facetdesk.services.backups import BackupService
    from facetdesk.storage.db import resolve_database_url

    return BackupService(resolve_database_url(args.db))


def _cmd_backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    service = _backups(args)
    path = service.backup_to(Path(args.output)) if args.output else service.backup_now()
    print(f"wrote backup {path}")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    service = _backups(args)
    target = service.database_path
    if not args.yes:
        if not sys.stdin.isatty():
            print("facetdesk: restore replaces the database; add --yes to confirm", file=sys.stderr)
            return EXIT_INVALID
        answer = input(f"Replace {target} with {args.backup_file}? The current database is kept. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("not restored")
            return EXIT_FAILURE
    kept = service.restore(Path(args.backup_file))
    print(f"restored {target} from {args.backup_file}")
    print(f"previous database kept as {kept}" if kept else "there was no previous database")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    ctx = _context(args)
    try:
        report = ctx.audit.verify()
    finally:
        ctx.close()
    for line in report.lines():
        print(line)
    return EXIT_OK if report.ok else EXIT_FAILURE


def _cmd_export_ca(args: argparse.Namespace) -> int:
    ctx = _context(args)
    try:
        pem = ctx.accounts.clinic_ca_pem()
    finally:
        ctx.close()
    if not pem:
        print("export-ca: this database has no clinic CA yet (it is made with the first account)", file=sys.stderr)
        return EXIT_FAILURE
    if args.output:
        from facetdesk.interop.files import write_atomically

        try:
            write_atomically(pem, args.output, shared=True)  # a certificate: no patient data
        except OSError as exc:
            return _report_unwritable(args.output, exc)
        print(f"wrote the clinic CA certificate to {args.output}")
    else:
        sys.stdout.write(pem.decode("ascii"))
    return EXIT_OK


def _cmd_trust_ca(args: argparse.Namespace) -> int:
    from facetdesk.domain.errors import InvalidRecord

    try:
        pem = Path(args.certificate).read_bytes()
    except OSError as exc:
        print(f"trust-ca: {args.certificate} cannot be read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    ctx = _context(args)
    try:
        fingerprint = ctx.accounts.trust_ca(pem)
    except InvalidRecord as exc:
        return _report_invalid(args.certificate, exc, "not trusted")
    finally:
        ctx.close()
    print(f"trusted the certificate authority with SHA-256 {fingerprint}")
    return EXIT_OK


def _cmd_add_user(args: argparse.Namespace) -> int:
    import getpass

    from facetdesk.domain.errors import InvalidRecord

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password for the new account: ")
        if getpass.getpass("Again: ") != password:
            print("facetdesk: the two passwords differ; no account was added", file=sys.stderr)
            return EXIT_INVALID
    data = {"username": args.username, "display_name": args.name, "role": args.role, "is_admin": args.admin}
    ctx = _context(args)
    try:
        if ctx.accounts.has_accounts():
            user = ctx.accounts.create_user(data, password)
        else:
            user = ctx.accounts.create_first_account(data, password)
    except InvalidRecord as exc:
        return _report_invalid("add-user", exc, "no account was added")
    finally:
        ctx.close()
    admin = ", administrator" if user.is_admin else ""
    print(f"added {user.username} ({user.display_name}, {user.role.label.lower()}{admin})")
    return EXIT_OK


OUTCOMES_DESCRIPTION = """\
Write one CSV row per procedure performed from --from to --to (YYYY-MM-DD, both days included) for a
registry: UTF-8, comma-separated, a header row naming the columns.

Cells: empty = not recorded; yes/no; dates YYYY-MM-DD, times YYYY-MM-DDTHH:MM (local wall-clock
time); numbers as plain decimals (a point, no exponent); a list is its items joined by ";". A text
cell starting with = + - @ gets a leading apostrophe (spreadsheets would run it as a formula).

Identified columns: procedure_uid, mrn, family_name, given_name, date_of_birth, physician, then the
clinical columns, then signed_by, complication_details, findings, follow_up, notes, addenda (free
text; addenda separated by a blank line).

Clinical columns (both exports):
  age_years                 whole years on the day of the procedure
  sex, performed_at
  region                    cervical, thoracic and/or lumbar (from the joints treated)
  levels, sides             parallel lists: joints (e.g. L4-L5;L5-S1) and, per joint, left, right or
                            bilateral; target_count = joint sides treated
  technique, intent, guidance, contrast, sedation
  local_anaesthetics, local_anaesthetic_mg, corticosteroids, corticosteroid_mg
                            parallel lists: agent keys and the total dose of each in mg (as on the note)
  botox_product, botox_units, botox_muscles
                            botulinum toxin product, total units, muscle keys
  pain_scale, pain_duration_months, baseline_pain (usual pain at evaluation), disability_scale,
  disability_score, pre_procedure_pain
  post_pain                 MINUTES:SCORE pairs after the injection, earliest first (e.g. 15:3;30:2)
  peak_relief_pct, peak_relief_min
                            highest % relief from pre_procedure_pain, and when (empty: not computed)
  relief_meaningful_threshold_pct, relief_meaningful_from_min, relief_meaningful_lasted_min,
  relief_meaningful_below_at_min, and the same four for relief_positive_block_*
                            the threshold (resources/thresholds.json), the first minute at or above
                            it, how many minutes the unbroken run lasted from there (counted from
                            when relief began), the first minute below it afterwards (empty: still at or above
                            at the last score; all empty: not reached or not computed)
  diagnoses, post_procedure_diagnoses
                            ICD-10-CM codes
  cpt_codes, cpt_units, hcpcs_drug_codes, hcpcs_drug_units
                            parallel lists: CODE-MODIFIER... and units, as FacetDesk suggests them
  complications, disposition, signed, signed_at, addenda_count
  rf_method, rf_cannula_gauge, rf_active_tip_mm, rf_sensory_threshold_v, rf_motor_test,
  rf_temperature_c, rf_seconds_per_lesion, rf_lesions_per_nerve
                            a radiofrequency ablation's lesioning (empty for other techniques)
  follow_up_visits          how many follow-up visits the procedure has (recorded on any day)
  last_follow_up_months, last_follow_up_pain_nrs, last_follow_up_pain_improvement_pct,
  last_follow_up_adl_improvement_pct, last_follow_up_impression
                            the latest visit: months after the procedure, pain, % better than before
                            the procedure (pain; daily activities), the patient's impression of change
  improvement_threshold_pct, improvement_for_months
                            what the LCD's repeat rule asks of this kind of procedure (an ablation:
                            lcd.rfa.repeat_*; any other: lcd.repeat_therapeutic.*, in thresholds.json)
  improvement_sustained     yes/no: at least that improvement (pain or daily activities) at every
                            visit up to the first at that many months; empty: unknown (not followed
                            that long, or nothing measured)
  improvement_lasted_months, improvement_ended
                            months from the procedure to the last visit of the unbroken run at or
                            above the threshold; ended yes: a later visit was below it (0 months when
                            the first was); no: still at or above at the last visit (at least that
                            long); both empty: no visit measured pain or daily activities
  Months are of time.days_per_month days (thresholds.json). A visit's date and notes are in neither export.

--deidentify writes, instead of the identified columns:
  patient                   a pseudonym (P000001, ...) numbered in an order drawn at random for this
                            export, never the record number; a new one in every export
  procedure                 the pseudonym and the procedure's number in the file (P000001-2)
and removes: MRN, family and given name, date of birth, the physician and the signer, the procedure
uid, and every free-text field (findings, notes, complication details, follow-up, addenda; the
record's other free texts are in neither export). age_years above 89 is reported as 90+. Every
date and time of a patient (performed_at, signed_at) is shifted by the same random number of days,
1 to 182 earlier or later, drawn for each patient of each export and kept nowhere: intervals
between a patient's procedures are kept, calendar dates are not. Rows are grouped by patient in
that random order. Shifted dates are not HIPAA Safe Harbor's removal of every date element but the
year: whether the file counts as de-identified for a registry is your privacy officer's decision.

The export is recorded in the audit log (range, row count, SHA-256 of the file; no patient data).
The file is written under a temporary name and renamed when complete; a failure leaves no file.

--charts FILE also writes the clinic's figures for the range as a PDF (procedures by type, diagnostic
block responses, conversion from a positive block to RF, months of relief after RF, complications;
counts only, no patient), audited as its own export.
"""


def _add_outcomes_parser(sub) -> None:
    out = sub.add_parser(
        "export-outcomes",
        help="write the procedures of a date range to a CSV file for a registry (optionally de-identified)",
        description=OUTCOMES_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    out.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    out.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day (included), YYYY-MM-DD")
    out.add_argument("-o", "--output", required=True, metavar="FILE", help="the CSV file to write")
    out.add_argument(
        "--deidentify", action="store_true", help="pseudonyms, ages and shifted dates instead of identifiers"
    )
    out.add_argument("--charts", metavar="FILE", help="also write the clinic's figures for the range to this PDF")


def _cmd_export_outcomes(args: argparse.Namespace) -> int:
    from facetdesk.domain.errors import InvalidRecord
    from facetdesk.domain.users import NotPermitted

    ctx = _context(args)
    target = args.output
    try:
        result = ctx.outcomes.export_csv(args.output, args.date_from, args.date_to, deidentify=args.deidentify)
        print(f"wrote {result.rows} procedure{'' if result.rows == 1 else 's'} to {result.path}")
        if args.charts:
            target = args.charts
            charts = ctx.outcomes.export_charts_pdf(args.charts, args.date_from, args.date_to)
            print(f"wrote the charts to {charts.path}")
    except InvalidRecord as exc:
        return _report_invalid("export-outcomes", exc, "nothing was written")
    except NotPermitted:
        raise  # a PermissionError, so an OSError: reported by main, not as an unwritable file
    except OSError as exc:
        return _report_unwritable(target, exc)
    finally:
        ctx.close()
    return EXIT_OK


MOVE_DESCRIPTION = """\
Copy every record of this workstation's FacetDesk database (the SQLite file: patients, procedures,
signed notes and addenda, accounts, clinic settings, presets and the audit trail) into a PostgreSQL
database on the clinic's server, keeping every record's number, so that every workstation can then
work on the server (README: Several workstations).

The server database must be unused: created for FacetDesk and never used by it, so the move never
merges into or replaces a clinic's data (otherwise it is refused and nothing is changed). The copy is
all or nothing (one transaction), its row counts are compared with the file's before it is kept, the
move is one entry in the server's audit trail, and the check of `facetdesk verify` (audit chain,
signed notes and addenda) is run on the server afterwards: exit 1 if it fails.

The file is only read, never changed. Close FacetDesk on this workstation first: what is saved in the
file after the move began stays in the file only. A password in URL is never printed; to keep it off
the command line (and the shell's history), leave it out and put it in ~/.pgpass.
"""


def _add_move_parser(sub) -> None:
    mv = sub.add_parser(
        "move-to-server",
        help="copy this workstation's SQLite database into an unused PostgreSQL database on the clinic's server",
        description=MOVE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mv.add_argument(
        "server_url", metavar="URL", help="the server database, e.g. postgresql://facetdesk@192.168.10.5/facetdesk"
    )
    mv.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="the SQLite file (or sqlite:/// URL) to move (default: this workstation's database: --db, else "
        "$FACETDESK_DB, else the one in the user data directory)",
    )


def _cmd_move_to_server(args: argparse.Namespace) -> int:
    from facetdesk.services.session import WorkSession
    from facetdesk.services.transfer import move_to_server
    from facetdesk.storage.db import resolve_database_url

    def progress(table: str, rows: int) -> None:
        print(f"  {table}: {rows:,} rows", file=sys.stderr)

    source = resolve_database_url(args.source or args.db)
    report = move_to_server(source, args.server_url, WorkSession(_command_line_actor()), progress=progress)
    for line in report.lines():
        print(line)
    if report.upgraded:
        print("The file was written by an older FacetDesk: it was upgraded in a temporary copy and left as it was.")
    if not report.ok:
        return EXIT_FAILURE
    print(
        "Next: point every workstation at the server, with --db or FACETDESK_DB set to the address given here "
        '(e.g. facetdesk --db "postgresql://…"; README: Several workstations, step 4).'
    )
    print(f"Keep {report.source} as a backup; FacetDesk saves nothing more in it once the workstations use the server.")
    return EXIT_OK


def _gui_db(argv: Sequence[str]) -> tuple[bool, str | None]:
    """(True, the --db given or None) for the plain desktop start, ``facetdesk [--db DB]``; (False, None) else.

    That start is the common one, and building the parser for every command costs its first window 6 ms.
    Anything else (a command, --help, --version, a mistake) goes through the full parser.
    """
    if not argv:
        return True, None
    if len(argv) == 2 and argv[0] == "--db" and not argv[1].startswith("-"):
        return True, argv[1]
    return False, None


def main(argv: Sequence[str] | None = None) -> int:
    gui, db = _gui_db(sys.argv[1:] if argv is None else argv)
    if gui:
        from facetdesk.app import run_gui

        return run_gui(db)
    from facetdesk import cli_ehr

    args = _parser().parse_args(argv)
    command = args.command or "gui"
    if command == "gui":
        from facetdesk.app import run_gui

        return run_gui(args.db)
    if command == "self-test":
        from facetdesk.self_test import run_self_test

        return run_self_test(Path(args.screenshot) if args.screenshot else None)
    handlers = {
        "export-case": _cmd_export,
        "import-case": _cmd_import,
        "note": _cmd_note,
        "schema": _cmd_schema,
        "check": _cmd_check,
        "fhir": _cmd_fhir,
        "backup": _cmd_backup,
        "restore": _cmd_restore,
        "verify": _cmd_verify,
        "export-ca": _cmd_export_ca,
        "trust-ca": _cmd_trust_ca,
        "add-user": _cmd_add_user,
        "export-outcomes": _cmd_export_outcomes,
        "move-to-server": _cmd_move_to_server,
        "outbox": lambda a: cli_ehr.cmd_outbox(a, _context),
        "document": lambda a: cli_ehr.cmd_document(a, _context),
    }
    from facetdesk.domain.users import NotPermitted
    from facetdesk.storage.backup import BackupError
    from facetdesk.storage.errors import StorageError

    try:
        return handlers[command](args)
    except (StorageError, BackupError, NotPermitted) as exc:
        print(f"facetdesk: {exc}", file=sys.stderr)
        return EXIT_FAILURE
