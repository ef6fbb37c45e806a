#!/usr/bin/env python3
"""Precision and recall of jianbao's search on a built site, as search.js
computes them: candidates are the documents holding every token of every
term (postings AND), hits are the candidates whose text row holds each term
as written; truth is every document whose title, unit name, tags, body text
or other texts (aliases, category, summary, author, source) contain every
term. Prints one line per query and the totals.

Then the index's bytes on disk, and gzipped (each file on its own, `gzip -6`,
as a server with compression would send it). Reads the index of format v3
(binary postings shards `idx/<n>.bin`, gzipped JSON text chunks
`text/<n>.bin`) and of v2 (JSON `.json` files) alike.

usage: search_precision.py PUBLIC_DIR "query,query two terms,…"
"""
import gzip,json,os,re,sys,zlib
out=sys.argv[1].rstrip('/')
meta=json.load(open(f'{out}/search/docs.json'))
def varint(b,p):
    x=s=0
    while True:
        c=b[p]; p+=1; x|=(c&127)<<s; s+=7
        if c<128: return x,p
def shard(b):
    """A v3 shard: token → codes as in v2, (id - previous id) * 256 + entry."""
    n,p=varint(b,0); table=[]
    for _ in range(n):
        l,p=varint(b,p); t=b[p:p+l].decode(); p+=l; pl,p=varint(b,p); table.append((t,pl))
    d={}
    for t,pl in table:
        end=p; end+=pl; codes=[]
        while p<end:
            c,p=varint(b,p); k=c%4
            if k<3: e=(k+1)*16+8
            else: e=b[p]; p+=1
            codes.append((c//4)*256+e)
        d[t]=codes
    return d
v3=meta.get('v')==3
ext='bin' if v3 else 'json'
post={}
for f in os.listdir(f'{out}/search/idx'):
    b=open(f'{out}/search/idx/{f}','rb').read()
    post.update(shard(b) if v3 else json.loads(b))
rows=[]
for n in range(len(os.listdir(f'{out}/search/text'))):
    b=open(f'{out}/search/text/{n}.{ext}','rb').read()
    rows.extend(json.loads(gzip.decompress(b) if v3 else b))
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
def disk(d):
    files=[os.path.join(d,f) for f in os.listdir(d)]
    raw=[open(f,'rb').read() for f in files]
    return len(files),sum(map(len,raw)),sum(len(zlib.compress(b,6)) for b in raw)
total=[0,0,0]
for part in ('idx','text'):
    n,b,g=disk(f'{out}/search/{part}')
    total=[total[0]+n,total[1]+b,total[2]+g]
    print(f'{part}: {n} files, {b} B on disk, {g} B gzipped')
docs=open(f'{out}/search/docs.json','rb').read()
total=[total[0]+1,total[1]+len(docs),total[2]+len(zlib.compress(docs,6))]
print(f'index: {total[0]} files, {total[1]} B on disk, {total[2]} B gzipped')
