"""The installers' recipes (packaging/, docs/installers.md) stay consistent with the app: what the bundle must carry
exists where the spec says, the Windows installer keeps its identity, the .deb names the libraries the app asks for."""

from __future__ import annotations

import ast
import plistlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from facetdesk.storage.migrate import MIGRATIONS_DIR
from facetdesk.window_check import LINUX_LIBS_HINT
from tests.pg import under_ci

REPO = Path(__file__).resolve().parents[1]
PACKAGING = REPO / "packaging"
WXS = "{http://wixtoolset.org/schemas/v4/wxs}"
# FacetDesk's identity for Windows Installer, across all versions: changing it makes Windows install a new version
# beside the old one instead of upgrading it.
UPGRADE_CODE = "fb950f02-2bdf-43f8-8f30-a1b509047d92"


def _root_path(node: ast.expr) -> str:
    """``ROOT / "a" / "b"`` in the spec as "a/b"."""
    if isinstance(node, ast.Call):  # str(...)
        return _root_path(node.args[0])
    if isinstance(node, ast.BinOp):
        left = _root_path(node.left)
        assert isinstance(node.right, ast.Constant)
        return f"{left}/{node.right.value}" if left else node.right.value
    assert isinstance(node, ast.Name) and node.id == "ROOT"
    return ""


def test_the_spec_bundles_the_files_the_app_reads_from_where_the_code_looks():
    tree = ast.parse((PACKAGING / "facetdesk.spec").read_text(encoding="utf-8"))  # PyInstaller runs it as Python
    datas = next(n.value for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]) == "datas")
    assert isinstance(datas, ast.List)
    placed = {}
    for entry in datas.elts:
        assert isinstance(entry, ast.Tuple) and isinstance(entry.elts[1], ast.Constant)
        placed[_root_path(entry.elts[0])] = entry.elts[1].value
    # facetdesk/resources.py looks for facetdesk/_resources; storage/migrate.py for migrations beside itself.
    assert placed == {
        "resources": "facetdesk/_resources",
        "facetdesk/storage/migrations": "facetdesk/storage/migrations",
    }
    assert MIGRATIONS_DIR == REPO / "facetdesk" / "storage" / "migrations"
    assert '"_resources"' in (REPO / "facetdesk" / "resources.py").read_text(encoding="utf-8")
    assert (REPO / "resources" / "drugs.json").is_file()


def test_the_windows_installer_keeps_its_upgrade_code_and_installs_the_whole_bundle():
    root = ET.parse(PACKAGING / "windows" / "facetdesk.wxs").getroot()
    assert root.tag == f"{WXS}Wix"
    package = root.find(f"{WXS}Package")
    assert package is not None
    assert package.get("UpgradeCode") == UPGRADE_CODE
    assert package.get("Scope") == "perMachine"
    assert root.find(f".//{WXS}MajorUpgrade") is not None
    assert [f.get("Include") for f in root.iter(f"{WXS}Files")] == [r"$(var.BundleDir)\**"]
    shortcut = next(root.iter(f"{WXS}Shortcut"))
    assert shortcut.get("Target") == "[INSTALLFOLDER]facetdesk-gui.exe"
    assert 'name="facetdesk-gui"' in (PACKAGING / "facetdesk.spec").read_text(encoding="utf-8")


def test_the_deb_depends_on_the_libraries_the_app_names_when_a_window_cannot_open():
    control = (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8")
    depends = next(line for line in control.splitlines() if line.startswith("Depends:"))
    named = set(re.findall(r"libxcb-[a-z0-9-]+", LINUX_LIBS_HINT))
    assert named and all(f" {lib}," in depends or depends.endswith(f" {lib}") for lib in named)
    desktop = (PACKAGING / "linux" / "facetdesk.desktop").read_text(encoding="utf-8")
    assert "Exec=/usr/bin/facetdesk" in desktop.splitlines()
    script = (PACKAGING / "build-linux").read_text(encoding="utf-8")
    assert 'ln -s /opt/facetdesk/facetdesk "$root/usr/bin/facetdesk"' in script
    subprocess.run(["bash", "-n", str(PACKAGING / "build-linux")], check=True)


def test_the_macos_entitlements_are_a_property_list_granting_only_executable_memory():
    with open(PACKAGING / "macos" / "entitlements.plist", "rb") as fh:
        assert plistlib.load(fh) == {"com.apple.security.cs.allow-unsigned-executable-memory": True}


def test_build_output_is_ignored_by_git_and_not_collected_by_pytest():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/build/" in ignored and "/dist/" in ignored
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'testpaths = ["tests"]' in pyproject


def test_every_installer_names_an_icon_that_exists_in_the_sizes_it_takes():
    from PIL import Image

    from facetdesk.ui.common.app_icon import ICON_SIZES

    icons = REPO / "resources" / "icons"
    for size in ICON_SIZES:  # the window icon's files, and the .deb's hicolor theme folders
        with Image.open(icons / f"facetdesk-{size}.png") as png:
            assert png.size == (size, size) and png.mode == "RGBA"
    with Image.open(icons / "facetdesk.ico") as ico:  # the Windows executables, shortcut and Settings > Apps
        assert {(s, s) for s in ICON_SIZES} <= set(ico.info["sizes"])
    with Image.open(icons / "facetdesk.icns") as icns:  # FacetDesk.app
        assert icns.format == "ICNS" and max(icns.info["sizes"])[0] >= 512
    spec = (PACKAGING / "facetdesk.spec").read_text(encoding="utf-8")
    assert '"win32": str(ROOT / "resources" / "icons" / "facetdesk.ico")' in spec
    assert '"darwin": str(ROOT / "resources" / "icons" / "facetdesk.icns")' in spec
    root = ET.parse(PACKAGING / "windows" / "facetdesk.wxs").getroot()
    declared = {i.get("Id"): i.get("SourceFile") for i in root.iter(f"{WXS}Icon")}
    assert (REPO / declared["facetdesk.ico"].replace("\\", "/")).is_file()
    assert next(root.iter(f"{WXS}Shortcut")).get("Icon") == "facetdesk.ico"
    assert {p.get("Id"): p.get("Value") for p in root.iter(f"{WXS}Property")}["ARPPRODUCTICON"] == "facetdesk.ico"
    desktop = (PACKAGING / "linux" / "facetdesk.desktop").read_text(encoding="utf-8").splitlines()
    assert "Icon=facetdesk" in desktop
    script = (PACKAGING / "build-linux").read_text(encoding="utf-8")
    assert f"for size in {' '.join(map(str, ICON_SIZES))}; do" in script
    assert '"$root/usr/share/icons/hicolor/${size}x${size}/apps/facetdesk.png"' in script


def test_the_menu_entry_passes_freedesktops_own_validator():
    if shutil.which("desktop-file-validate") is None:
        if under_ci():
            pytest.fail("desktop-file-validate (Debian: desktop-file-utils) is needed under CI")
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils)")
    checked = subprocess.run(
        ["desktop-file-validate", str(PACKAGING / "linux" / "facetdesk.desktop")], capture_output=True, text=True
    )
    # Errors fail it (exit status); hints and warnings (a menu entry that would show twice) fail this test too.
    assert checked.returncode == 0 and checked.stdout.strip() == "", checked.stdout + checked.stderr
