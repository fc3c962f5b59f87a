"""The project's Python modules as Python would import them, without importing them.

``source`` reads and parses one file (every failure a located ``InputError``); ``tree``
lists and reads the project's files (on disk, or at a git revision through the same
interface); ``bindings`` records what each module binds at its top level and where from;
``roots`` finds the folders imports are resolved against; ``graph`` turns a module's name
and an import into the file that defines it, following re-exports, star imports and
aliases (cycles end, never recurse). ``entries`` expands a configured source or target (a
file, a package folder, or a list of files and globs) into its files.

Nothing here knows SQLModel: the schema stage asks the graph what a name means.
"""
