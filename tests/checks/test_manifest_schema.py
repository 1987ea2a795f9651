"""`schema:` of a manifest check: `$ref`s reach the pack's own folder and nothing else.

A local server on 127.0.0.1 records every connection made to it (none may
come), and a canary file beside the pack's folder holds content that never
appears in any output.
"""

from __future__ import annotations

import json
import os
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CANARY = "CANARY-5d2a-beside-the-pack"
DEPLOYMENT = "kind: Deployment\nmetadata: {name: a}\nspec: {replicas: 1}\n"


class Answer(socketserver.BaseRequestHandler):
    """Counts the connection, then answers like a schema server would (with the canary)."""

    server: Recorder

    def handle(self) -> None:
        self.server.connections += 1
        self.request.recv(1024)
        body = json.dumps({"enum": [CANARY]}).encode()
        self.request.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)


class Recorder(socketserver.ThreadingTCPServer):
    """A TCP server on 127.0.0.1 that counts connections (HTTP or TLS, whatever comes)."""

    daemon_threads = True

    def __init__(self) -> None:
        self.connections = 0
        super().__init__(("127.0.0.1", 0), Answer)


@pytest.fixture
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        recorder.shutdown()
        recorder.server_close()
        thread.join()


@pytest.fixture
def pack_folder(tmp_path) -> Path:
    """packs/ (where the pack goes) beside canary.json, which a $ref may never read."""
    (tmp_path / "canary.json").write_text(json.dumps({"enum": [CANARY]}))
    folder = tmp_path / "packs"
    folder.mkdir()
    return folder


def schema_pack(check_pack, write_pack, folder: Path, files: dict[str, object]) -> Path:
    """A pack whose rule checks deploy/*.yaml against schemas/deploy.json, with `files`
    (path in the pack's folder -> JSON) written beside it."""
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps(content))
    check = "{manifest: {files: ['deploy/*.yaml'], schema: schemas/deploy.json}}"
    return write_pack(check_pack(check), folder=folder)


def replicas(ref: str) -> dict[str, object]:
    return {"properties": {"spec": {"properties": {"replicas": {"$ref": ref}}}}}


def test_refs_to_files_of_the_pack_folder_resolve(
    evaluate, make_repo, check_pack, write_pack, pack_folder
) -> None:
    pack = schema_pack(
        check_pack,
        write_pack,
        pack_folder,
        {
            "schemas/deploy.json": {
                "allOf": [replicas("defs.json#/$defs/replicas"), {"$ref": "../common.json"}],
            },
            "schemas/defs.json": {
                "$defs": {
                    "replicas": {"$ref": "#/$defs/at-least-two"},
                    "at-least-two": {"type": "integer", "minimum": 2},
                }
            },
            "common.json": {"required": ["kind", "owner"]},
        },
    )

    run = evaluate(make_repo({"deploy/a.yaml": DEPLOYMENT}), pack)

    assert [f["message"] for f in run.result()["findings"]] == [
        "Deployment/a: (document): 'owner' is a required property",
        "Deployment/a: spec.replicas: 1 is less than the minimum of 2",
    ]


def test_a_recursive_schema_that_reaches_into_the_document_is_fine(
    evaluate, make_repo, check_pack, write_pack, pack_folder
) -> None:
    tree = {"type": "object", "properties": {"child": {"$ref": "#"}, "name": {"type": "string"}}}
    pack = schema_pack(check_pack, write_pack, pack_folder, {"schemas/deploy.json": tree})

    run = evaluate(make_repo({"deploy/a.yaml": "child: {child: {name: 3}}\n"}), pack)

    assert [f["message"] for f in run.result()["findings"]] == [
        "child.child.name: 3 is not of type 'string'"
    ]


LEAVES = "it leaves the pack's folder; only files of the pack's folder are read"
NOT_FETCHED = "URLs are not fetched; only files of the pack's folder are read"
REFUSED = [
    ("file:///CANARY", LEAVES),
    ("/CANARY", LEAVES),
    ("../../canary.json", LEAVES),
    ("http://SERVER/s.json", NOT_FETCHED),
    ("https://SERVER/s.json", NOT_FETCHED),
    (
        "urn:example:schema",
        "urn references are not followed; only files of the pack's folder are read",
    ),
    ("#/$defs/missing", "it points to nothing"),
    ("#no-such-anchor", "no such anchor"),
    ("missing.json", "cannot read schemas/missing.json: No such file or directory"),
]


@pytest.mark.parametrize(("ref", "reason"), REFUSED)
def test_a_ref_outside_the_pack_folder_is_a_located_pack_error_and_nothing_is_read(
    policy, make_repo, check_pack, write_pack, pack_folder, server, ref, reason
) -> None:
    canary = pack_folder.parent / "canary.json"
    ref = ref.replace("SERVER", f"127.0.0.1:{server.server_address[1]}")
    ref = ref.replace("file:///CANARY", canary.as_uri()).replace("/CANARY", str(canary))
    pack = schema_pack(check_pack, write_pack, pack_folder, {"schemas/deploy.json": replicas(ref)})

    done = policy("eval", make_repo({"deploy/a.yaml": DEPLOYMENT}), "--pack", pack)

    text = pack.read_text()
    at = text.index("schemas/deploy.json")
    line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    assert (done.exit_code, done.stdout) == (2, "")
    assert done.stderr == (
        f"policy: {pack}:{line}:{column}: error: rule r: schema 'schemas/deploy.json': "
        f"$ref {ref!r}: {reason}\n"
    )
    assert server.connections == 0
    assert CANARY not in done.stderr


@pytest.mark.parametrize(
    ("files", "refused"),
    [
        (  # a `$id` elsewhere makes a relative $ref a URL
            {
                "schemas/deploy.json": {"$id": "URL/", **replicas("defs.json")},
                "schemas/defs.json": {},
            },
            "$ref 'defs.json'",
        ),
        (  # a file the schema reaches refers to a URL
            {"schemas/deploy.json": replicas("defs.json"), "schemas/defs.json": {"$ref": "URL"}},
            "$ref 'URL' (in schemas/defs.json)",
        ),
    ],
)
def test_a_url_reached_another_way_is_refused_too(
    policy, make_repo, check_pack, write_pack, pack_folder, server, files, refused
) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}/s"
    files = json.loads(json.dumps(files).replace("URL", url))
    pack = schema_pack(check_pack, write_pack, pack_folder, files)

    done = policy("eval", make_repo({"deploy/a.yaml": DEPLOYMENT}), "--pack", pack)

    assert done.exit_code == 2
    assert done.stderr.endswith(
        f"error: rule r: schema 'schemas/deploy.json': {refused.replace('URL', url)}: "
        f"{NOT_FETCHED}\n"
    )
    assert server.connections == 0


def test_a_symlink_out_of_the_pack_folder_is_not_read(
    policy, make_repo, check_pack, write_pack, pack_folder
) -> None:
    pack = schema_pack(
        check_pack, write_pack, pack_folder, {"schemas/deploy.json": replicas("defs.json")}
    )
    os.symlink("../../canary.json", pack_folder / "schemas" / "defs.json")

    done = policy("eval", make_repo({"deploy/a.yaml": DEPLOYMENT}), "--pack", pack)

    assert done.exit_code == 2
    assert done.stderr.endswith(
        "error: rule r: schema 'schemas/deploy.json': $ref 'defs.json': "
        "cannot read schemas/defs.json: a symlink out of the pack's folder\n"
    )
    assert CANARY not in done.stderr


@pytest.mark.parametrize("path", ["../canary.json", "/etc/hostname", "schemas/../../canary.json"])
def test_a_schema_outside_the_pack_folder_is_a_pack_error(
    policy, make_repo, check_pack, write_pack, pack_folder, path
) -> None:
    pack = write_pack(
        check_pack(f"{{manifest: {{files: ['*.yaml'], schema: '{path}'}}}}"), folder=pack_folder
    )

    done = policy("eval", make_repo({}), "--pack", pack)

    assert done.exit_code == 2
    assert done.stderr.endswith(
        f"error: rule r: schema {path!r} must be a file in the pack's folder\n"
    )


@pytest.mark.parametrize(
    ("schema", "how"),
    [
        ({"$ref": "#"}, "$ref '#'"),
        (
            {
                "$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                "$ref": "#/$defs/a",
            },
            "$ref '#/$defs/a'",
        ),
        ({"allOf": [{"not": {"$ref": "#"}}]}, "$ref '#'"),
    ],
)
def test_a_ref_that_comes_back_to_itself_in_place_is_a_pack_error(
    policy, make_repo, check_pack, write_pack, pack_folder, schema, how
) -> None:
    pack = schema_pack(check_pack, write_pack, pack_folder, {"schemas/deploy.json": schema})

    done = policy("eval", make_repo({"deploy/a.yaml": DEPLOYMENT}), "--pack", pack)

    assert done.exit_code == 2
    assert done.stderr.endswith(
        f"error: rule r: schema 'schemas/deploy.json': {how} leads back to itself without "
        "reaching into the document (validating would never end)\n"
    )
