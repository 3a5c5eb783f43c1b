"""One commit of a git repository, read with the git command line (no work tree, no checkout).

The release's source is read straight from the object database (`git cat-file --batch`), so a bare
mirror is enough and nothing of the release is installed or imported.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


class GitError(RuntimeError):
    """A git command failed, or the repository does not hold what was asked for."""


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    date: str  # committer date, ISO 8601
    subject: str


class GitTree:
    """The tree of `commit` in the repository whose git directory is `git_dir`."""

    def __init__(self, git_dir: str | Path, commit: str) -> None:
        self.git_dir = Path(git_dir)
        if not self.git_dir.is_dir():
            raise GitError(f"{self.git_dir} is not a directory")
        self.commit = self.rev_parse(commit)
        self._files: tuple[str, ...] | None = None
        self._text: dict[str, str] = {}

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", f"--git-dir={self.git_dir}", *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise GitError(f"git {' '.join(args)} in {self.git_dir}: {done.stderr.strip() or done.returncode}")
        return done.stdout

    def rev_parse(self, revision: str) -> str:
        """The full sha of a commit; a short sha must be unambiguous."""
        return self.git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()

    def info(self, revision: str | None = None) -> CommitInfo:
        sha, date, subject = self.git("log", "-1", "--format=%H%n%cI%n%s", revision or self.commit).split("\n")[:3]
        return CommitInfo(sha=sha, date=date, subject=subject)

    def is_ancestor(self, ancestor: str, descendant: str | None = None) -> bool:
        done = subprocess.run(
            ["git", f"--git-dir={self.git_dir}", "merge-base", "--is-ancestor", ancestor, descendant or self.commit],
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def distance(self, ancestor: str) -> int:
        """Commits reachable from this commit and not from `ancestor` (what `git describe` counts)."""
        return int(self.git("rev-list", "--count", f"{ancestor}..{self.commit}").strip())

    def describe(self) -> str | None:
        """`git describe --tags --long` of the commit, or None when the mirror has no tag behind it."""
        try:
            return self.git("describe", "--tags", "--long", "--match", "v[0-9]*", self.commit).strip()
        except GitError:
            return None

    def files(self) -> tuple[str, ...]:
        if self._files is None:
            listing = self.git("ls-tree", "-r", "--name-only", "-z", self.commit)
            self._files = tuple(sorted(p for p in listing.split("\0") if p))
        return self._files

    def exists(self, path: str) -> bool:
        return path in self.files()

    def python_files(self, under: str) -> list[str]:
        prefix = under.rstrip("/") + "/"
        return [p for p in self.files() if p.startswith(prefix) and p.endswith(".py")]

    def read(self, path: str) -> str:
        if path not in self._text:
            self.read_many([path])
        return self._text[path]

    def read_many(self, paths: list[str]) -> dict[str, str]:
        """Several files at once through one `git cat-file --batch` (thousands of files in a second)."""
        wanted = [p for p in paths if p not in self._text]
        if wanted:
            request = "".join(f"{self.commit}:{p}\n" for p in wanted).encode()
            done = subprocess.run(
                ["git", f"--git-dir={self.git_dir}", "cat-file", "--batch"], input=request, capture_output=True
            )
            if done.returncode != 0:
                raise GitError(f"git cat-file in {self.git_dir}: {done.stderr.decode(errors='replace').strip()}")
            self._text.update(_parse_batch(done.stdout, wanted, self.git_dir))
        return {p: self._text[p] for p in paths}


def _parse_batch(output: bytes, paths: list[str], git_dir: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    offset = 0
    for path in paths:
        end = output.index(b"\n", offset)
        header = output[offset:end].decode()
        offset = end + 1
        if header.endswith(" missing"):
            raise GitError(f"{path} is not in the commit (or its blob is missing from {git_dir})")
        _sha, kind, size = header.split(" ")
        if kind != "blob":
            raise GitError(f"{path} is a {kind}, not a file")
        texts[path] = output[offset : offset + int(size)].decode("utf-8")
        offset += int(size) + 1
    return texts
