"""The installers' recipes (packaging/, docs/installers.md) stay consistent with the app: what the bundle must carry
exists where the spec says, the Windows installer keeps its identity, the .deb names the libraries the app asks for."""

from __future__ import annotations

import ast
import plistlib
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from facetdesk.storage.migrate import MIGRATIONS_DIR
from facetdesk.window_check import LINUX_LIBS_HINT

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
