#!/usr/bin/env python3
"""PyTorch eager reference of the STARS model and training step (bench/train/bench_train.sh).

Reads a folder written by bench_train_dump (resolved configuration, initial weights, item content and the
first N training batches of `stars train`) and trains the same network on the same batches with plain
PyTorch eager ops: the same item tower, [USER] tokens, pre-LN blocks with the same masked attention, heads,
context head, candidate-slice softmax with shared negatives and prior, h_gen loss, AdamW parameter groups
with per-group clipping. Prints the training throughput (targets per second) and, with --check, the loss of
the first step without dropout so the script can confirm that both sides compute the same function.

Batches are preloaded (on the GPU with --device cuda): the reference does no batch building of its own, which
favours it. --bf16 runs the forward pass and the losses under torch.autocast(bfloat16), as `stars train` does
on CUDA with train.bf16.
Usage: reference_train.py DUMP_DIR [--threads N] [--steps N] [--device cpu|cuda] [--bf16] [--check]
"""
import argparse
import json
import math
import sys
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path):
    return np.load(path)


FUSED_ATTENTION = False  # --fused-attention: causal order + F.scaled_dot_product_attention(is_causal), as stars model.fused_attention
SLICE_MATMUL = False  # --slice-matmul: candidate logits from one (targets x items) product, as stars train.slice_logits=matmul


class Block(nn.Module):
    def __init__(self, d, heads, ff):
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ff)
        self.ff2 = nn.Linear(ff, d)

    def forward(self, x, allowed, drop, attn_drop, gelu):
        B, L, D = x.shape
        dh = D // self.heads
        y = self.qkv(self.ln1(x)).view(B, L, 3, self.heads, dh).permute(2, 0, 3, 1, 4)
        q, k, v = y[0], y[1], y[2]
        if allowed is None:  # positions in causal_order
            a = F.scaled_dot_product_attention(q, k, v, dropout_p=attn_drop if self.training else 0.0, is_causal=True)
        else:
            s = torch.matmul(q, k.transpose(-2, -1)) * (1.0 / math.sqrt(dh))
            s = s.masked_fill(~allowed, float("-inf"))
            a = torch.matmul(F.dropout(torch.softmax(s, -1), attn_drop, self.training), v)
        a = a.transpose(1, 2).reshape(B, L, D)
        h = x + F.dropout(self.out(a), drop, self.training)
        f = self.ff1(self.ln2(h))
        f = F.gelu(f) if gelu else F.relu(f)
        f = self.ff2(F.dropout(f, drop, self.training))
        return h + F.dropout(f, drop, self.training)


def attention_mask(valid, user):
    B, T = valid.shape
    dev = valid.device
    causal = torch.ones(T, T, dtype=torch.bool, device=dev).tril()
    slots = (causal.unsqueeze(0) & valid.unsqueeze(1)) | torch.eye(T, dtype=torch.bool, device=dev).unsqueeze(0)
    if not user:
        return slots.unsqueeze(1)
    L = T + 2
    m = torch.zeros(B, L, L, dtype=torch.bool, device=dev)
    m[:, :, 0] = True
    m[:, 1:T + 1, 1:T + 1] = slots
    m[:, T + 1, 1:T + 1] = valid
    m[:, 0, 1:] = False
    m[:, T + 1, T + 1] = True
    return m.unsqueeze(1)


def causal_order(valid, user):
    """A permutation of the positions under which the mask above is causal at every non-pad position:
    [USER], the valid slots in order, [USER*], then the pad slots (stars' causal_order)."""
    B, T = valid.shape
    L = T + 2 if user else T
    at = torch.arange(1 if user else 0, T + 1 if user else T, device=valid.device).expand(B, T)
    key = torch.where(valid.bool(), at, at + 2 * L)
    if user:
        key = torch.cat([key.new_zeros(B, 1), key, key.new_full((B, 1), T + 1)], 1)
    return key.argsort(1)


class StarsRef(nn.Module):
    def __init__(self, cfg, schema, text, tag_matrix):
        super().__init__()
        m = cfg["model"]
        self.m = m
        D = m["d_model"]
        N = schema["num_items"]
        self.D = D
        self.text_on, self.tags_on, self.delta_on = m["use_text"], m["use_tags"], m["use_delta"]
        time_on = schema["has_time"]
        d_tok = 0
        if self.text_on:
            self.register_buffer("text", torch.from_numpy(text))
            d_delta = text.shape[1]
            d_tok += d_delta
        elif self.delta_on:
            d_delta = D
            d_tok += D
        if self.delta_on:
            self.delta = nn.Embedding(N, d_delta)
        if self.tags_on:
            self.register_buffer("tag_matrix", torch.from_numpy(tag_matrix.astype(np.int64)).view(N, -1))
            real = self.tag_matrix < schema["num_tags"]
            self.register_buffer("tag_flat", self.tag_matrix[real])
            counts = real.sum(1)
            self.register_buffer("tag_offsets", torch.cumsum(counts, 0) - counts)
            self.tag_emb = nn.Embedding(schema["num_tags"] + 1, m["d_tag"], padding_idx=schema["num_tags"])
            self.tag_bias = nn.Parameter(torch.zeros(m["d_tag"]))
            self.tag_mlp = nn.Linear(m["d_tag"], m["d_tag"]) if m["tag_proj"] == "mlp" else None
            d_tok += m["d_tag"]
        pure_id = not self.text_on and not self.tags_on and d_tok == D
        self.in_proj = None if pure_id else nn.Linear(d_tok, D)
        self.pos = nn.Embedding(m["max_len"], D) if m["use_position"] else None
        # Registered as "type" (the parameter names of stars train); nn.Module.type() shadows the attribute, so
        # forward() reads it from _modules.
        self.type = nn.Embedding(4, D) if m["use_engagement"] else None
        if m["use_context"] and time_on:
            self.hour, self.dow, self.week = nn.Embedding(24, D), nn.Embedding(7, D), nn.Embedding(53, D)
        else:
            self.hour = None
        self.region = nn.Embedding(schema["num_regions"], D) if m["use_context"] and schema["num_regions"] > 1 else None
        self.recency = nn.Embedding(m["recency_buckets"], D) if m["use_recency"] else None
        self.user = m["use_user_token"]
        self.user_num = None
        self.user_cat = None
        if self.user:
            self.user_base = nn.Parameter(torch.zeros(D))
            self.user_pool = nn.Parameter(torch.zeros(D))
            fn, cs = len(schema["user_numeric_names"]), schema["user_categorical_sizes"]
            if fn > 0:
                self.user_num = nn.Linear(2 * fn, D)
            if cs:
                self.user_cat = nn.ModuleList([nn.Embedding(c, D) for c in cs])
            if fn > 0 or cs:
                # stars' cold-user head, carried so that the weights line up; the benchmarks train stars with
                # train.cold_user_weight=0, so neither side trains or uses it.
                self.cold_user1, self.cold_user2 = nn.Linear(D, D), nn.Linear(D, D)
        self.blocks = nn.ModuleList([Block(D, m["n_heads"], m["d_ff"]) for _ in range(m["n_layers"])])
        self.ln_f = nn.LayerNorm(D)
        if m["head"] == "linear":
            self.head_next, self.head_gen = nn.Linear(D, D), nn.Linear(D, D)
        else:
            self.head_next = self.head_gen = None
        self.ctx_head = m["use_context_head"]
        if self.ctx_head:
            dc, parts = m["d_context"], 0
            self.ch_hour = None
            if time_on:
                self.ch_hour, self.ch_dow, self.ch_week = nn.Embedding(24, dc), nn.Embedding(7, dc), nn.Embedding(53, dc)
                parts += 3
            self.ch_region = nn.Embedding(schema["num_regions"], dc) if schema["num_regions"] > 1 else None
            parts += 1 if self.ch_region is not None else 0
            self.ctx_w = nn.Linear(parts * dc, D, bias=False)

    def item_tower(self, ids):
        parts = []
        if self.text_on:
            t = self.text[ids]
            if self.delta_on:
                t = t + self.delta(ids)
            parts.append(t)
        elif self.delta_on:
            parts.append(self.delta(ids))
        if self.tags_on:
            g = self.tag_emb(self.tag_matrix[ids]).sum(1) + self.tag_bias
            if self.tag_mlp is not None:
                g = self.tag_mlp(F.relu(g))
            parts.append(g)
        x = parts[0] if len(parts) == 1 else torch.cat(parts, 1)
        return self.in_proj(x) if self.in_proj is not None else x

    def all_items(self):
        # The whole catalog without gathers, as stars_net.cpp computes it.
        if not self.text_on and not self.tags_on and self.in_proj is None:
            return self.delta.weight
        parts = []
        if self.text_on:
            parts.append(self.text + self.delta.weight if self.delta_on else self.text)
        elif self.delta_on:
            parts.append(self.delta.weight)
        if self.tags_on:
            g = F.embedding_bag(self.tag_flat, self.tag_emb.weight, self.tag_offsets, mode="sum") + self.tag_bias
            if self.tag_mlp is not None:
                g = self.tag_mlp(F.relu(g))
            parts.append(g)
        x = parts[0] if len(parts) == 1 else torch.cat(parts, 1)
        return self.in_proj(x) if self.in_proj is not None else x

    def context_offset(self, b):
        parts = []
        if self.ch_hour is not None:
            parts += [self.ch_hour(b["tgt_hour"]), self.ch_dow(b["tgt_dow"]), self.ch_week(b["tgt_week"])]
        if self.ch_region is not None:
            parts.append(self.ch_region(b["tgt_region"]))
        return self.ctx_w(torch.cat(parts, -1))

    def forward(self, b):
        B, T, D, m = b["B"], b["T"], self.D, self.m
        if b["uniq"].numel() == 0:
            items = self.all_items()
        elif b["uniq"].numel() * 2 > b["num_items"]:
            items = self.all_items()[b["uniq"]]
        else:
            items = self.item_tower(b["uniq"])
        x = items[b["item_local"].view(-1)].view(B, T, D)
        if m["scale_input"]:
            x = x * math.sqrt(D)
        if self.pos is not None:
            x = x + self.pos(torch.arange(T - 1, -1, -1, device=x.device).clamp(max=m["max_len"] - 1)).unsqueeze(0)
        engagement = self._modules.get("type")
        if engagement is not None:
            x = x + engagement(b["type"])
        if self.hour is not None:
            x = x + self.hour(b["hour"]) + self.dow(b["dow"]) + self.week(b["week"])
        if self.region is not None:
            x = x + self.region(b["region"])
        if self.recency is not None:
            x = x + self.recency(b["recency"])
        x = x * b["valid"].unsqueeze(-1).to(x.dtype)
        if self.user:
            u = self.user_base.unsqueeze(0).expand(B, D)
            if self.user_num is not None:
                u = u + self.user_num(b["user_num"])
            if self.user_cat is not None:
                for f, e in enumerate(self.user_cat):
                    u = u + e(b["user_cat"][:, f])
            seq = torch.cat([u.unsqueeze(1), x, (u + self.user_pool).unsqueeze(1)], 1)
        else:
            seq = x
        seq = F.dropout(seq, m["dropout"], self.training)
        allowed = order = None
        if FUSED_ATTENTION:
            order = causal_order(b["valid"], self.user).unsqueeze(2).expand(-1, -1, seq.shape[2])
            seq = seq.gather(1, order)
        else:
            allowed = attention_mask(b["valid"], self.user)
        for blk in self.blocks:
            seq = blk(seq, allowed, m["dropout"], m["attn_dropout"], m["activation"] == "gelu")
        seq = self.ln_f(seq)
        if order is not None:
            seq = torch.zeros_like(seq).scatter(1, order, seq)
        h_slots = seq[:, 1:T + 1] if self.user else seq
        h_pool = seq[:, T + 1] if self.user else seq[:, T - 1]
        h_next = self.head_next(h_slots) if self.head_next is not None else h_slots
        h_gen = self.head_gen(h_pool) if self.head_gen is not None else h_pool
        return h_next, h_gen, items


def slice_logits(H, items, prior_u, cands, shared=None, shared_item=None, targets=None):
    n, C = cands.shape
    if SLICE_MATMUL:
        every = H @ items.t()
        z = every.gather(1, cands)
    else:
        E = items[cands.reshape(-1)].view(n, C, -1)
        z = torch.bmm(E, H.unsqueeze(2)).squeeze(2)
    if prior_u is not None:
        z = z + prior_u[cands]
    if shared is None or shared.numel() == 0:
        return z
    zs = every[:, shared] if SLICE_MATMUL else H @ items[shared].t()
    if prior_u is not None:
        zs = zs + prior_u[shared]
    zs = zs.masked_fill(targets.unsqueeze(1) == shared_item.unsqueeze(0), float("-inf"))
    return torch.cat([z, zs], 1)


NEG_INF = float("-inf")


def mask_pairs(z, rows, cols):
    """z with -inf at (rows[i], cols[i]): items the loss must not rank for that row (history exclusion)."""
    if rows.numel() == 0:
        return z
    return z.reshape(-1).index_fill(0, rows * z.shape[1] + cols, NEG_INF).view(z.shape)


def pairs_of(tgt, value, sel, n_targets):
    """Of the pairs (tgt[i], value[i]), those whose target is in sel, the target renumbered to its position."""
    pos = torch.full((n_targets,), -1, dtype=torch.int64, device=sel.device)
    pos[sel] = torch.arange(sel.numel(), device=sel.device)
    r = pos[tgt]
    keep = r >= 0
    return r[keep], value[keep]


def corrected(z, b, rows=None):
    """Slice logits minus each negative's log expected occurrences (train.logq_correction)."""
    if b["cand_logq"].numel() == 0:
        return z
    cq = b["cand_logq"] if rows is None else b["cand_logq"][rows]
    if z.shape[1] == cq.shape[1]:
        return z - cq
    scale = b["tgt_shared_logq"] if rows is None else b["tgt_shared_logq"][rows]
    sq = scale.unsqueeze(1) + b["shared_logq"].unsqueeze(0)
    if b["pair_logq"].numel() > 0:  # shared negatives on the target's page or in its subclass
        r, c, v = b["pair_logq_tgt"], b["pair_logq_col"], b["pair_logq"]
        if rows is not None:
            r, k = pairs_of(r, torch.arange(r.numel(), device=r.device), rows, b["n_targets"])
            c, v = c[k], v[k]
        sq = sq.reshape(-1).index_copy(0, r * sq.shape[1] + c, v).view(sq.shape)
    return z - torch.cat([cq, sq], 1)


def losses(model, b, tc, full):
    h_next, h_gen, items = model(b)
    n_t = b["tgt_item"].numel()
    S = h_next.shape[2]
    H = h_next.reshape(-1, S)[b["tgt_slot"]]
    O = model.context_offset(b) if model.ctx_head else None
    if O is not None:
        H = H + O
    prior_u = None  # gamma > 0 is not benchmarked
    C1 = b["cands"].shape[1] if b["cands"].dim() == 2 else 1
    cand_rows, cand_cols = b["hist_cand"] // C1, b["hist_cand"] % C1
    K = b["shared"].numel()
    if b["hist_shared"].numel() > 0:  # shared columns holding a history item
        cand_rows = torch.cat([cand_rows, b["hist_shared"] // K])
        cand_cols = torch.cat([cand_cols, b["hist_shared"] % K + C1])
    if full:
        main = F.cross_entropy(mask_pairs(H @ items.t(), b["hist_tgt"], b["hist_item"]), b["tgt_item"])
    else:
        z = slice_logits(H, items, prior_u, b["cands"], b["shared"], b["shared_item"], b["tgt_item"])
        z = mask_pairs(z, cand_rows, cand_cols)
        main = -torch.log_softmax(corrected(z, b), 1)[:, 0].mean()
    total = main
    rows = torch.nonzero(b["row_last_target"] >= 0).squeeze(1)
    last = b["row_last_target"][rows]
    if tc["gen_weight"] > 0 and rows.numel() > 0:
        Hg = h_gen[rows]
        if O is not None:
            Hg = Hg + O[last]
        if full:
            r, c = pairs_of(b["hist_tgt"], b["hist_item"], last, n_t)
            gen = F.cross_entropy(mask_pairs(Hg @ items.t(), r, c), b["tgt_item"][last])
        else:
            z = slice_logits(Hg, items, prior_u, b["cands"][last], b["shared"], b["shared_item"], b["tgt_item"][last])
            r, c = pairs_of(cand_rows, cand_cols, last, n_t)
            gen = -torch.log_softmax(corrected(mask_pairs(z, r, c), b, last), 1)[:, 0].mean()
        total = total + tc["gen_weight"] * gen
    return total, main


def load_batch(d, num_items, n_cands):
    shape = json.load(open(os.path.join(d, "shape.json")))
    B, T, n = shape["B"], shape["T"], shape["n_targets"]
    b = {"B": B, "T": T, "num_items": num_items, "n_targets": n}
    for k in ["item_local", "valid", "type", "hour", "dow", "week", "region", "recency", "user_cat", "uniq", "tgt_slot",
              "tgt_item", "cands", "shared", "shared_item", "tgt_hour", "tgt_dow", "tgt_week", "tgt_region",
              "row_last_target", "hist_tgt", "hist_item", "hist_cand", "hist_shared", "pair_logq_tgt", "pair_logq_col"]:
        b[k] = torch.from_numpy(load(os.path.join(d, k + ".npy")).astype(np.int64)).reshape(-1)
    for k in ["item_local", "type", "hour", "dow", "week", "region", "recency"]:
        b[k] = b[k].view(B, T)
    b["valid"] = b["valid"].view(B, T).bool()
    b["user_cat"] = b["user_cat"].view(B, -1)
    if shape["n_cands"] > 0:
        b["cands"] = b["cands"].view(n, shape["n_cands"])
    b["user_num"] = torch.from_numpy(load(os.path.join(d, "user_num.npy")).astype(np.float32)).view(B, -1)
    for k in ["cand_logq", "tgt_shared_logq", "shared_logq", "pair_logq"]:
        b[k] = torch.from_numpy(load(os.path.join(d, k + ".npy")).astype(np.float32)).reshape(-1)
    if b["cand_logq"].numel() > 0:
        b["cand_logq"] = b["cand_logq"].view(n, shape["n_cands"])
    return b


def write_profile(prof, path, steps, cuda):
    """The profiler's table of operators and kernels by self device time (CPU time without a device)."""
    events = prof.key_averages()
    table = None
    # PyTorch 2.4 renamed the CUDA columns to device ones; an unknown key may leave the table unsorted.
    keys = ("self_device_time_total", "self_cuda_time_total") if cuda else ("self_cpu_time_total",)
    for key in keys:
        try:
            table = events.table(sort_by=key, row_limit=45, max_name_column_width=70)
            break
        except (AttributeError, KeyError, ValueError):
            continue
    # Launch counts, comparable to the CPU line of stars' profile.txt (train.profile_steps): host events only.
    all_evs = prof.events()
    evs = [e for e in all_evs if getattr(e, "device_type", torch.autograd.DeviceType.CPU) == torch.autograd.DeviceType.CPU]
    n_aten = sum(1 for e in evs if e.name.startswith("aten::"))
    n_kernels = sum(len(getattr(e, "kernels", [])) for e in evs)
    with open(path, "w") as f:
        f.write("torch.profiler over %d training steps (sorted by self device time where there is a device)\n" % steps)
        f.write("CPU: %.1f profiled events/step, of which %.1f aten:: operators; %.1f device kernels/step\n"
                % (len(evs) / steps, n_aten / steps, n_kernels / steps))
        f.write(table if table is not None else "(the profiler gave no table)\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=0, help="0 = every dumped batch")
    ap.add_argument("--warmup", type=int, default=3, help="steps run before timing starts")
    ap.add_argument("--check", action="store_true", help="print the first-step loss without dropout and exit")
    ap.add_argument("--device", default="cpu", help="cpu | cuda")
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast of the forward pass and losses (CUDA)")
    ap.add_argument("--fused-attention", action="store_true",
                    help="causal order + F.scaled_dot_product_attention(is_causal) (PyTorch >= 2.0), as stars "
                         "model.fused_attention=true")
    ap.add_argument("--slice-matmul", action="store_true",
                    help="candidate logits from one (targets x items) product, as stars train.slice_logits=matmul")
    ap.add_argument("--profile", metavar="FILE",
                    help="run the timed steps under torch.profiler and write its table, by self device time, to FILE")
    a = ap.parse_args()
    if a.fused_attention:
        if not hasattr(F, "scaled_dot_product_attention"):
            ap.error("--fused-attention needs PyTorch >= 2.0 (this is %s)" % torch.__version__)
        global FUSED_ATTENTION
        FUSED_ATTENTION = True
    if a.slice_matmul:
        global SLICE_MATMUL
        SLICE_MATMUL = True
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    if a.bf16 and not cuda:
        ap.error("--bf16 needs --device cuda")

    def run_losses(b):
        if a.bf16:
            with torch.autocast("cuda", dtype=torch.bfloat16):
                return losses(model, b, tc, full)
        return losses(model, b, tc, full)

    def sync():
        if cuda:
            torch.cuda.synchronize()
    cfg = json.load(open(os.path.join(a.dump, "config.json")))
    schema, tc = cfg["schema"], cfg["train"]
    text = load(os.path.join(a.dump, "text.npy")) if os.path.exists(os.path.join(a.dump, "text.npy")) else None
    tm = os.path.join(a.dump, "tag_matrix.npy")
    tag_matrix = load(tm) if os.path.exists(tm) else None
    if tc.get("cold_user_weight", 0) > 0 and (schema["user_numeric_names"] or schema["user_categorical_sizes"]):
        sys.exit("reference_train.py has no cold-user loss: dump and train stars with --set train.cold_user_weight=0")
    torch.manual_seed(tc["seed"])
    model = StarsRef(cfg, schema, text.astype(np.float32) if text is not None else None, tag_matrix)
    params = dict(model.named_parameters())
    assert sorted(params) == sorted(cfg["param_names"]), (sorted(params), sorted(cfg["param_names"]))
    with torch.no_grad():
        for name, p in params.items():
            p.copy_(torch.from_numpy(load(os.path.join(a.dump, "weights", name + ".npy"))).view_as(p))
    model.to(dev)
    nparams = sum(p.numel() for p in model.parameters())
    assert nparams == cfg["num_parameters"], (nparams, cfg["num_parameters"])
    full = tc["loss"] == "full"
    batches = []
    i = 0
    while os.path.isdir(os.path.join(a.dump, "batch_%d" % i)):
        b = load_batch(os.path.join(a.dump, "batch_%d" % i), schema["num_items"], 0)
        batches.append({k: v.to(dev) if torch.is_tensor(v) else v for k, v in b.items()})
        i += 1
    if a.check:
        model.eval()  # no dropout; the losses are computed as in training
        total, main_loss = run_losses(batches[0])
        print(json.dumps({"first_loss": total.item(), "first_loss_main": main_loss.item()}))
        return

    # AdamW parameter groups as stars train builds them; Δ is frozen in the first epoch of a text model.
    text_model = model.text_on and model.delta_on
    groups = {}
    for name, g in zip(cfg["param_names"], cfg["param_groups"]):
        groups.setdefault(g, []).append(params[name])
    opt_groups = []
    for g, ps in groups.items():
        wd = {"dense": tc["weight_decay"], "embedding": tc["embedding_weight_decay"],
              "delta": tc["embedding_weight_decay"]}.get(g, 0.0)
        if g == "delta" and text_model and tc["delta_freeze_epochs"] > 0:
            for p in ps:
                p.requires_grad_(False)
            continue
        lr = tc["lr"] * (tc["delta_lr_scale"] if g == "delta" and text_model else 1.0)
        opt_groups.append({"params": ps, "weight_decay": wd, "lr": lr})
    opt = torch.optim.AdamW(opt_groups, lr=tc["lr"], betas=(tc["beta1"], tc["beta2"]), eps=tc["adam_eps"])
    model.train()
    steps = a.steps if a.steps > 0 else len(batches)
    tokens, t0, prof = 0, None, None
    for s in range(steps + a.warmup):
        if s == a.warmup:
            sync()
            if a.profile:
                acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if cuda else [])
                prof = torch.profiler.profile(activities=acts)
                prof.start()
            t0 = time.perf_counter()
        b = batches[s % len(batches)]
        total, _ = run_losses(b)
        opt.zero_grad(set_to_none=True)
        total.backward()
        if tc["clip_norm"] > 0:
            for g in opt.param_groups:
                torch.nn.utils.clip_grad_norm_(g["params"], tc["clip_norm"])
        opt.step()
        if s >= a.warmup:
            tokens += b["n_targets"]
    sync()
    sec = time.perf_counter() - t0
    if prof is not None:
        prof.stop()
        write_profile(prof, a.profile, steps, cuda)
    print(json.dumps({"steps": steps, "tokens": tokens, "seconds": sec, "tokens_per_second": tokens / sec,
                      "threads": a.threads, "device": a.device, "bf16": a.bf16, "parameters": nparams,
                      "last_loss": total.item()}))


if __name__ == "__main__":
    main()
