#!/usr/bin/env python3
"""The reference for `npm run bench -- maintenance`: scikit-learn's GradientBoostingClassifier
(200 trees, depth 5, learning rate 0.1, subsample 0.8, min 20 samples per leaf) on the same table and
the same expanding folds by week as FleetDesk's evaluation (fold k trains on every week before its test
weeks). Missing values are filled with the training median (this estimator does not take NaN).
Prints one JSON line: per-fold AUC and training seconds. Needs Debian's python3-sklearn
(/usr/bin/python3)."""
import json, sys, time
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import roc_auc_score

FEATURES = ['avg_rpm', 'max_rpm', 'avg_coolant_temp', 'max_coolant_temp', 'fuel_consumption_rate', 'harsh_brake_count',
            'total_km', 'days_since_last_service', 'km_since_last_service', 'active_dtc_count']

path, folds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5
with open(path) as f:
    header = f.readline().strip().split(',')
    rows = [line.rstrip('\n').split(',') for line in f if line.strip()]
col = {h: i for i, h in enumerate(header)}
weeks = sorted({r[col['week']] for r in rows})
widx = {w: i for i, w in enumerate(weeks)}
block = np.array([min(folds, widx[r[col['week']]] * (folds + 1) // len(weeks)) for r in rows])
X = np.array([[float(r[col[c]]) if r[col[c]] not in ('', 'nan', 'NaN') else np.nan for c in FEATURES] for r in rows])
y = np.array([int(r[col['breakdown_within_14_days']]) for r in rows])
out = []
for k in range(1, folds + 1):
    tr, te = block < k, block == k
    med = np.nanmedian(X[tr], axis=0)
    Xtr = np.where(np.isnan(X[tr]), med, X[tr])
    Xte = np.where(np.isnan(X[te]), med, X[te])
    clf = GradientBoostingClassifier(n_estimators=200, max_depth=5, learning_rate=0.1, subsample=0.8, min_samples_leaf=20, random_state=42)
    t0 = time.perf_counter()
    clf.fit(Xtr, y[tr])
    secs = time.perf_counter() - t0
    out.append({'fold': k, 'auc': float(roc_auc_score(y[te], clf.predict_proba(Xte)[:, 1])), 'train_seconds': secs})
print(json.dumps(out))
