"""Safe output: atomic files and folders, ownership marks, one writer, OS errors (private, core).

Every file and folder the library writes goes through this package, which keeps four
promises (``docs/reliability.md`` lists the tests of each):

- **Complete or absent.** A file is written to a temporary name beside its target,
  flushed to disk (``fsync``) and renamed over the target, so a reader sees the previous
  file or the new one, never a truncated one. A folder (an output *set*: the tables,
  charts and report of one run, or a saved projection) is staged in a temporary folder
  beside the target and swapped in whole: with Linux's ``renameat2(RENAME_EXCHANGE)``
  in one step, elsewhere with two renames (an interruption between them is repaired by
  the next write; :mod:`forecast._io.folders`). Files that belong together (a command's
  table and chart) are each staged in full before any is renamed
  (:func:`~forecast._io.atomic.atomic_files`).
  Ctrl-C during a swap or those renames is held back until they are done.
- **Never through a link, never over someone else's files.** Targets that are symbolic
  links are refused; new files are created with ``O_EXCL | O_NOFOLLOW``. A folder holds a
  marker (``.forecast-output.json``) listing the files the library wrote; a non-empty folder without
  it, or with files the marker does not list, is replaced only with ``force=True``. A
  single file (a workbook, a report, a scenario file, a CSV table) records the SHA-256
  of what was written, inside it or beside it (:class:`~forecast._io.seals.Seal`): it is
  replaced only as forecast wrote it, else with ``force=True``
  (:func:`~forecast._io.seals.check_own_file`).
- **One writer at a time** per folder (:mod:`forecast._io.lock`).
- **One clear error.** Every ``OSError`` becomes an :class:`~forecast.errors.OutputError`
  naming the path, what went wrong (disk full, read-only, permission ...) and the fix.

CSV cells that a spreadsheet would run as a formula are neutralised here too
(:func:`~forecast._io.cells.neutralise`), as OWASP recommends.

Its modules, each importing only those above it:

- :mod:`~forecast._io.oserror`: every ``OSError`` as one :class:`OutputError` line;
- :mod:`~forecast._io.cells`: CSV cells neutralised against formula injection;
- :mod:`~forecast._io.paths`: targets checked (links, folders, names, files above);
- :mod:`~forecast._io.lock`: one writer per output folder;
- :mod:`~forecast._io.atomic`: single files and sets of files, staged then renamed;
- :mod:`~forecast._io.seals`: the digests that tell forecast's own files from others';
- :mod:`~forecast._io.guards`: what an output folder may replace (its marker, protected places);
- :mod:`~forecast._io.folders`: output folders swapped in whole, with a marker.
"""
