"""A minimal BERT encoder with a token-classification head.

Written out instead of importing `transformers` so the exported graph has exactly the
contract's inputs (input_ids, attention_mask; token types are baked in as zeros) and the
training environment stays small. Layout and maths follow multilingual-e5-small (BERT:
post-LayerNorm, exact GELU, LayerNorm eps 1e-12, absolute positions starting at 0).
"""
from __future__ import annotations

import math

import torch
from torch import nn


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, eps: float):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(hidden, hidden)
        self.k = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, hidden)
        self.ao = nn.Linear(hidden, hidden)
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ffn)
        self.fo = nn.Linear(ffn, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)
        self.drop = nn.Dropout(0.1)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, s, h = x.shape
        hd = h // self.heads

        def split(t):
            return t.view(b, s, self.heads, hd).transpose(1, 2)

        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(hd)) + bias
        probs = self.drop(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).transpose(1, 2).reshape(b, s, h)
        x = self.aln(x + self.drop(self.ao(ctx)))
        y = self.fo(nn.functional.gelu(self.fi(x)))
        return self.oln(x + self.drop(y))


class BertTagger(nn.Module):
    def __init__(self, vocab: int, hidden=384, layers=12, heads=12, ffn=1536, max_pos=512,
                 eps=1e-12, num_labels=7):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.type0 = nn.Parameter(torch.zeros(hidden))  # token type 0, baked in
        self.eln = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(Layer(hidden, heads, ffn, eps) for _ in range(layers))
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, num_labels)
        self.config = dict(vocab=vocab, hidden=hidden, layers=layers, heads=heads, ffn=ffn,
                           max_pos=max_pos, eps=eps, num_labels=num_labels)

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        s = input_ids.shape[1]
        pos = torch.arange(s, device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.pos(pos) + self.type0
        x = self.drop(self.eln(x))
        # additive mask: 0 for real tokens, large negative for padding
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -1e4
        for layer in self.layers:
            x = layer(x, bias)
        return x

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.drop(self.encode(input_ids, attention_mask)))
