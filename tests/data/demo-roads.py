"""Writes demo-roads.geojson: a stand-in road layer for the demo county
(maps/demo) until `catchment generate` writes roads of its own.

A street grid every 0.01 degree (a primary road every fifth line) over the
county, a river at lon 117.80 that east-west streets cross only on a bridge
every eighth line, and an expressway at lat 31.65 (motorway, closed to
walkers) that north-south streets cross only at every eighth line, where
the interchanges are. Run: python3 tests/data/demo-roads.py
"""
import json
import os

LON0, LON1, LAT0, LAT1, STEP = 117.39, 118.15, 31.36, 31.91, 0.01
RIVER, EXPRESSWAY, EVERY = 117.80, 31.65, 8
lons = [round(LON0 + i * STEP, 4) for i in range(round((LON1 - LON0) / STEP) + 1)]
lats = [round(LAT0 + j * STEP, 4) for j in range(round((LAT1 - LAT0) / STEP) + 1)]


def road(points, highway, **more):
    return {"type": "Feature", "properties": {"highway": highway, **more},
            "geometry": {"type": "LineString", "coordinates": points}}


features = []
for i, x in enumerate(lons):
    kind = "primary" if i % 5 == 0 else "residential"
    line = [[x, y] for y in lats]
    if i % EVERY == 0:
        features.append(road(line, kind, bridge=True))
    else:
        features.append(road([p for p in line if p[1] <= EXPRESSWAY], kind))
        features.append(road([p for p in line if p[1] > EXPRESSWAY], kind))
for j, y in enumerate(lats):
    kind = "primary" if j % 5 == 0 else "residential"
    line = [[x, y] for x in lons]
    if j % EVERY == 0:
        features.append(road(line, kind, bridge=True))
    else:
        features.append(road([p for p in line if p[0] < RIVER], kind))
        features.append(road([p for p in line if p[0] > RIVER], kind))
interchanges = [[x, EXPRESSWAY] for i, x in enumerate(lons) if i % EVERY == 0]
ends = [[LON0 - 0.02, EXPRESSWAY]] + interchanges + [[LON1 + 0.02, EXPRESSWAY]]
features.append(road(ends, "motorway", oneway="no", speed_kmh=100))
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "demo-roads.geojson"), "w") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f, separators=(",", ":"))
