"""RSS (MB) of a fresh process: after imports, after load, after embedding the WMT docs at 1,000 chars.
usage: rss.py MODEL"""
import sys, json, common
name = sys.argv[1]
import numpy as np  # noqa
r0 = common.rss_mb()
m = common.get(name)
r1 = common.rss_mb()
docs = common.wmt_docs()
m.encode([common.lead(d["title"], d["text"], 1000) for d in docs[:200]])
r2 = common.rss_mb()
print(json.dumps({"model": name, "rss_base": round(r0), "load_delta": round(r1 - r0), "after_use_delta": round(r2 - r0)}))
