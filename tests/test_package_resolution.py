"""Module resolution on small inline packages: each case is a way Python's import system
decides what a name means, checked through ``load_side`` (what every command reads).

The package corpus (``tests/test_package_differential.py``) proves the same constructs
against real SQLModel; these cases pin each rule down on its own, where a failure names it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelsync.errors import ModelError
from modelsync.modules.graph import ModuleGraph, ProjectModule
from modelsync.modules.tree import DiskTree
from modelsync.schema.load import load_side
from modelsync.schema.release import SqlmodelRules, parse_version
from tests.lint_helpers import write

RULES = SqlmodelRules(parse_version("0.0.50"))

TABLE_HEADER = """\
from typing import Optional

from sqlmodel import Field, SQLModel
"""


def models(body: str) -> str:
    """A models module: the usual imports, then ``body``."""
    return TABLE_HEADER + textwrap.dedent(body)


def two_tables(mixin: str) -> str:
    """``app/tables.py``: tables A and B, both inheriting ``mixin`` of ``app/mixins.py``."""
    return models(f"""
        from app.mixins import {mixin}


        class A({mixin}, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)


        class B({mixin}, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
        """)


def side(root: Path, *items: str, pythonpath: tuple[str, ...] = ()):
    return load_side(DiskTree(root), items, RULES, pythonpath=pythonpath)


def column(schema, table: str, name: str):
    found = schema.table(table)
    assert found is not None, [t.name for t in schema.tables]
    return found.column(name)


def test_a_module_wins_over_a_folder_of_the_same_name_without_init(tmp_path: Path) -> None:
    # Python's path finder takes ``storage.py`` over a namespace portion ``storage/``
    # found in the same folder (a folder of data files beside a module is common).
    root = write(tmp_path, {
        "crm/__init__.py": "",
        "crm/storage.py": "NOTE_MAX = 500\n",
        "crm/storage/README.md": "data\n",
        "crm/note.py": models("""
            from crm.storage import NOTE_MAX
            from . import storage


            class Note(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                body: str = Field(max_length=NOTE_MAX)
                title: str = Field(max_length=storage.NOTE_MAX // 10)
            """),
    })  # fmt: skip
    found = side(root, "crm")
    assert found.schema.warnings == ()
    assert column(found.schema, "note", "body").type == "VARCHAR(500)"
    assert column(found.schema, "note", "title").type == "VARCHAR(50)"
    graph = ModuleGraph(DiskTree(root), (".",))
    assert graph.absolute("crm.storage") == ProjectModule("crm/storage.py")


def test_a_package_still_wins_over_a_module_of_the_same_name(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/sizes.py": "N = 1\n",
        "pkg/sizes/__init__.py": "N = 2\n",
    })  # fmt: skip
    graph = ModuleGraph(DiskTree(root), (".",))
    assert graph.absolute("pkg.sizes") == ProjectModule("pkg/sizes/__init__.py")
    # A namespace folder with no module beside it is still a namespace package.
    (root / "pkg" / "data").mkdir()
    (root / "pkg" / "data" / "x.py").write_text("", encoding="utf-8")
    fresh = ModuleGraph(DiskTree(root), (".",))
    assert fresh.absolute("pkg.data") == ProjectModule("pkg/data")


def test_all_extended_with_plus_equals_extend_and_append(tmp_path: Path) -> None:
    # ``__all__ += [...]`` (and .extend/.append) is how many ``__init__.py`` files grow
    # their exports; a star import of such a package binds every name listed.
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/kinds/__init__.py": """
            from .a import A
            from .b import B
            from .c import C
            from .d import D

            __all__ = ["A"]
            __all__ += ["B"]
            __all__.extend(["C"])
            __all__.append("D")
            """,
        "app/kinds/a.py": "A = 10\n",
        "app/kinds/b.py": "B = 20\n",
        "app/kinds/c.py": "C = 30\n",
        "app/kinds/d.py": "D = 40\n",
        "app/models.py": models("""
            from app.kinds import *


            class T(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                a: str = Field(max_length=A)
                b: str = Field(max_length=B)
                c: str = Field(max_length=C)
                d: str = Field(max_length=D)
            """),
    })  # fmt: skip
    found = side(root, "app/models.py")
    assert found.schema.warnings == ()
    types = [column(found.schema, "t", name).type for name in "abcd"]
    assert types == ["VARCHAR(10)", "VARCHAR(20)", "VARCHAR(30)", "VARCHAR(40)"]


def test_all_computed_from_other_names_exports_every_public_name(tmp_path: Path) -> None:
    # ``__all__ = base.__all__ + [...]`` cannot be read statically; for code that imports
    # at all, every public name is the safe reading (a star import never binds more).
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/kinds.py": """
            from app import extra

            WIDTH = 12
            __all__ = ["extra"]
            __all__ += extra.__all__
            __all__.append("WIDTH")
            """,
        "app/extra.py": "__all__ = ['OTHER']\nOTHER = 3\n",
        "app/models.py": models("""
            from app.kinds import *


            class T(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                name: str = Field(max_length=WIDTH)
            """),
    })  # fmt: skip
    found = side(root, "app/models.py")
    assert found.schema.warnings == ()
    assert column(found.schema, "t", "name").type == "VARCHAR(12)"


def test_enums_name_the_module_they_are_written_in(tmp_path: Path) -> None:
    # An enum_labels finding stands at the enum: for sa.Enum(Color) at Color's module,
    # for sa.Enum("a", "b", name=...) at the column's module; never at the package folder.
    root = write(tmp_path, {
        "shop/__init__.py": "",
        "shop/colors.py": """
            import enum


            class Color(enum.Enum):
                RED = "red"
            """,
        "shop/product.py": models("""
            import sqlalchemy as sa

            from shop.colors import Color


            class Product(SQLModel, table=True):
                id: Optional[int] = Field(default=None, primary_key=True)
                color: Color = Field(sa_column=sa.Column(sa.Enum(Color, name="product_color")))
                size: str = Field(sa_column=sa.Column(sa.Enum("s", "m", name="product_size")))
                plain: Color
            """),
    })  # fmt: skip
    schema = side(root, "shop").schema
    assert schema.warnings == ()
    where = {e.name: (schema.where(e), e.line) for e in schema.enums}
    assert where == {
        "product_color": ("shop/colors.py", 5),
        "product_size": ("shop/product.py", 13),
        "color": ("shop/colors.py", 5),
    }


def test_a_mixin_field_is_read_and_warned_about_once(tmp_path: Path) -> None:
    # Every table inheriting the mixin has the same column; what cannot be read in it is
    # one warning at the mixin's line, not one per table.
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/mixins.py": models("""
            from somewhere_else import WIDTH


            class Named(SQLModel):
                name: str = Field(max_length=WIDTH)
            """),
        "app/tables.py": two_tables("Named"),
    })  # fmt: skip
    schema = side(root, "app").schema
    assert [(w.path, w.line) for w in schema.warnings] == [("app/mixins.py", 9)]
    assert column(schema, "a", "name") == column(schema, "b", "name")
    assert column(schema, "a", "name").path == "app/mixins.py"


def test_a_mixins_sa_column_in_two_tables_is_refused_as_sqlmodel_refuses_it(
    tmp_path: Path,
) -> None:
    # sa_column=Column(...) is one Column object: the second table that inherits it makes
    # SQLAlchemy raise "Column object 'created_at' already assigned to Table 'a'" at import.
    root = write(tmp_path, {
        "app/__init__.py": "",
        "app/mixins.py": models("""
            from datetime import datetime

            from sqlalchemy import Column, DateTime, func


            class Stamped(SQLModel):
                created_at: Optional[datetime] = Field(
                    default=None, sa_column=Column(DateTime, server_default=func.now())
                )
            """),
        "app/tables.py": two_tables("Stamped"),
    })  # fmt: skip
    with pytest.raises(ModelError) as raised:
        side(root, "app")
    error = raised.value
    assert (error.path, error.line) == ("app/mixins.py", 11)
    assert "Column object 'created_at' already assigned to Table 'a'" in error.message
    assert "app/tables.py:12" in error.message  # where B, the second table, stands
    # One table inheriting it is fine.
    (root / "app" / "tables.py").write_text(
        (root / "app" / "tables.py").read_text().split("class B")[0], encoding="utf-8"
    )
    assert side(root, "app").schema.table("a").column("created_at").server_default == "now()"
