#!/usr/bin/env python3
"""Smoke run of the README's run command: `groundplane serve --demo` on a free port.

Starts the demo server, waits until every demo deployment answers, the replayed captures
and the simulators' telemetry are being archived, reads the API's main documents, runs the
demo procedures (commands verified against the simulators) with the demo operator token,
promotes the SpacePy MIB mission's release to AIV through the control plane, then stops the server with SIGTERM and expects a clean exit. Standard library only.
"""
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return response.status, response.read()


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="gp-demo-") as data_dir:
        server = subprocess.Popen(
            [binary, "serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
            stdout=subprocess.PIPE, text=True)
        try:
            base = None
            for line in server.stdout:
                print("  " + line.rstrip())
                if line.startswith("groundplane: serving http://"):
                    base = "http://" + line.split("http://")[1].split()[0]
                    break
            if base is None:
                sys.exit("demo smoke: the server did not start")
            _, body = get(base, "/api/deployments")
            deployments = json.loads(body)
            names = sorted(f"{d['mission']}/{d['env']}" for d in deployments)
            print(f"  deployments: {names}")
            assert names == ["imap-idex/dev", "jpss-1/ops", "pus-example/dev", "spacepy-mib/dev"], names
            deadline = time.time() + 60
            while True:
                stored = {}
                for d in deployments:
                    _, body = get(base, f"/api/missions/{d['mission']}/envs/{d['env']}/status")
                    stored[f"{d['mission']}/{d['env']}"] = json.loads(body)["stored"]["units"]
                if all(units > 0 for units in stored.values()):
                    break
                if time.time() > deadline:
                    sys.exit(f"demo smoke: captures not archived after 60 s: {stored}")
                time.sleep(0.2)
            print(f"  stored units: {stored}")
            status, body = get(base, "/api/openapi.json")
            paths = json.loads(body)["paths"]
            print(f"  openapi: {len(paths)} paths")
            _, body = get(base, "/api/missions/jpss-1/envs/ops/parameters")
            print(f"  jpss-1/ops parameters archived: {len(json.loads(body))}")
            _, body = get(base, "/metrics")
            assert b"groundplane_units_stored_total" in body
            missions = pathlib.Path(__file__).resolve().parent.parent / "missions"
            env = dict(os.environ, GROUNDPLANE_TOKEN="demo-operator-token")
            for mission in ["spacepy-mib", "pus-example"]:
                name = f"{mission}/procedures/smoke.toml"
                run = subprocess.run(
                    [binary, "procedure", "run", str(missions / name), "--mission", mission, "--env", "dev",
                     "--url", base], env=env, capture_output=True, text=True, timeout=120)
                print("  " + run.stdout.strip().replace("\n", "\n  "))
                if run.returncode != 0:
                    sys.exit(f"demo smoke: procedure {name} exited {run.returncode}: {run.stderr}")
            # The control plane: the demo's first SpacePy MIB release goes to AIV (its procedure
            # passes against a scratch simulator deployment), through the CLI.
            mission = lambda *args: subprocess.run(
                [binary, "mission", *args, "--url", base], env=env, capture_output=True, text=True, timeout=300)
            show = mission("show", "spacepy-mib", "--json")
            if show.returncode != 0:
                sys.exit(f"demo smoke: mission show exited {show.returncode}: {show.stderr}")
            release = json.loads(show.stdout)["releases"][0]["digest"]
            # Promoting needs a flight director (an operator is refused: Cedar policy).
            refused = mission("promote", "spacepy-mib", "aiv", release)
            if refused.returncode != 1:
                sys.exit(f"demo smoke: an operator's promotion exited {refused.returncode}, not 1: {refused.stderr}")
            director = dict(env, GROUNDPLANE_TOKEN="demo-flight-director-token")
            run = subprocess.run([binary, "mission", "promote", "spacepy-mib", "aiv", release, "--url", base],
                                 env=director, capture_output=True, text=True, timeout=300)
            print("  " + run.stdout.strip().replace("\n", "\n  "))
            if run.returncode != 0:
                sys.exit(f"demo smoke: promotion to aiv exited {run.returncode}: {run.stderr}")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                code = server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                sys.exit("demo smoke: the server did not stop within 20 s of SIGTERM")
        if code != 0:
            sys.exit(f"demo smoke: the server exited with {code}")
        print("demo smoke: ok")


if __name__ == "__main__":
    main()
