#!/usr/bin/env python3
"""Precision and recall of jianbao's search on a built site, as search.js
computes them: candidates are the documents holding every token of every
term (postings AND), hits are the candidates whose text row holds each term
as written; truth is every document whose title, unit name, tags, body text
or other texts (aliases, category, summary, author, source) contain every
term. Prints one line per query and the totals.

usage: search_precision.py PUBLIC_DIR "query,query two terms,…"
"""
import json,os,re,sys
out=sys.argv[1].rstrip('/')
meta=json.load(open(f'{out}/search/docs.json'))
post={}
for f in os.listdir(f'{out}/search/idx'):
    post.update(json.load(open(f'{out}/search/idx/{f}')))
rows=[]
for n in range(len(os.listdir(f'{out}/search/text'))):
    rows.extend(json.load(open(f'{out}/search/text/{n}.json')))
def cjk(c):
    cp=ord(c); return 0x3040<=cp<=0x30ff or 0x3400<=cp<=0x4dbf or 0x4e00<=cp<=0x9fff or 0xac00<=cp<=0xd7af or 0xf900<=cp<=0xfaff or 0x20000<=cp<=0x3134f
def reqs(term):
    r=[];run=[];word=''
    def fl():
        nonlocal run
        if len(run)==1: r.append(run[0])
        r.extend(run[i]+run[i+1] for i in range(len(run)-1)); run=[]
    for ch in term.lower():
        if cjk(ch): run.append(ch)
        elif run: fl()
        if not cjk(ch) and ch.isalnum(): word+=ch
        elif word: r.append(word); word=''
    fl()
    if word: r.append(word)
    return r
def docs(tok):
    ids=set();i=0
    for c in post.get(tok,[]): i+=c//256; ids.add(i)
    return ids
def hay(i):
    row=rows[i];ku=meta['ku'][i]
    return '\n'.join([row[0], meta['units'][(ku>>2)-1] if ku>=4 else '', '\n'.join(row[3]), row[4], row[5] if len(row)>5 else '']).lower()
H=[hay(i) for i in range(len(rows))]
Q=sys.argv[2].split(',')
tb=ta=tt=tc=0
PB=[]
for q in Q:
    terms=q.split()
    cand=None
    for t in terms:
        s=None
        for tok in reqs(t):
            d=docs(tok); s=d if s is None else s&d
        cand=s if cand is None else cand&s
    truth={i for i in range(len(rows)) if all(t in H[i] for t in terms)}
    after={i for i in cand if all(t in H[i] for t in terms)}
    pb=len(cand&truth)/max(1,len(cand)); pa=len(after&truth)/max(1,len(after)); rc=len(after&truth)/max(1,len(truth))
    tb+=len(cand&truth); tc+=len(cand); ta+=len(after); tt+=len(truth)
    PB.append(pb if cand else None)
    print(f'{q}\tcand {len(cand)}\ttruth {len(truth)}\tprecision before {pb:.3f} after {pa:.3f}\trecall {rc:.3f}')
print(f'ALL queries {len(Q)}: hits / candidates before {tb}/{tc} = {tb/tc:.4f}; after {ta} hits, truth {tt}, recall {ta/tt:.4f}')
v=[p for p in PB if p is not None]
print('macro precision before', sum(v)/len(v), 'lowest', sorted(v)[:4])
