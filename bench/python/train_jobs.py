#!/usr/bin/env python3
"""The training stage (M14-M18) as a user would write it in PyTorch: the
same heads, sizes and loop as bench/train_jobs.cc, on random embeddings.

Heads (worker/train/heads.h, architecture.h), K = 3 classes (softmax):
  image, video_to_image: Dropout(0.2) -> Linear(1280, K)            on [N, 1280]
  cnn_rnn, image_to_video: Dropout(0.2) -> GRU(1280 -> 8) -> Dropout(0.2)
      -> GRU(8 -> 6), last state -> Dropout(0.2) -> Linear(6, 8) + ReLU
      -> Linear(8, K)                                               on [N, 15, 1280]
Loop: Adam (lr 1e-3, eps 1e-7 as Keras), batch 32, 15 epochs over shuffled
batches, cross-entropy, validation accuracy after every epoch, the best
epoch's weights kept. Each job is timed from building the head to the end of
its last epoch; prints the median of REPEATS runs per job.

    /usr/bin/python3 bench/python/train_jobs.py [THREADS] [REPEATS]
"""
import copy
import statistics
import sys
import time

import torch
from torch import nn

EMBEDDING = 1280
FRAMES = 15
CLASSES = 3


class ImageHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(0.2)
        self.output = nn.Linear(EMBEDDING, CLASSES)

    def forward(self, x):
        return self.output(self.dropout(x))


class SequenceHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(0.2)
        self.first = nn.GRU(EMBEDDING, 8, batch_first=True)
        self.second = nn.GRU(8, 6, batch_first=True)
        self.hidden = nn.Linear(6, 8)
        self.output = nn.Linear(8, CLASSES)

    def forward(self, x):
        states, _ = self.first(self.dropout(x))
        _, last = self.second(self.dropout(states))
        return self.output(torch.relu(self.hidden(self.dropout(last[-1]))))


def train(make_head, train_x, train_y, val_x, val_y, epochs=15, batch=32):
    head = make_head()
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    best_accuracy, best_state = -1.0, None
    for _ in range(epochs):
        head.train()
        order = torch.randperm(len(train_x))
        for first in range(0, len(order), batch):
            rows = order[first:first + batch]
            optimizer.zero_grad()
            loss = loss_fn(head(train_x[rows]), train_y[rows])
            loss.backward()
            optimizer.step()
        head.eval()
        with torch.no_grad():
            logits = head(val_x)
            loss_fn(logits, val_y)
            accuracy = (logits.argmax(1) == val_y).float().mean().item()
        if accuracy > best_accuracy:
            best_accuracy, best_state = accuracy, copy.deepcopy(head.state_dict())
    return best_state


def main() -> int:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    repeats = max(1, int(sys.argv[2])) if len(sys.argv) > 2 else 3
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    jobs = [
        ("image (1175 train, 294 val)", ImageHead, 1175, 294, False),
        ("cnn_rnn (445 train, 111 val)", SequenceHead, 445, 111, True),
        ("video_to_image (1469+445 train, 111 val)", ImageHead, 1469 + 445, 111, False),
        ("image_to_video (1469+445 train, 111 val)", SequenceHead, 1469 + 445, 111, True),
    ]
    print(f"| job | threads | median s (15 epochs, {repeats} runs) |\n|---|---|---|")
    for name, head, train_n, val_n, sequences in jobs:
        shape = (FRAMES, EMBEDDING) if sequences else (EMBEDDING,)
        train_x, val_x = torch.randn(train_n, *shape), torch.randn(val_n, *shape)
        if name.startswith("image_to_video"):
            # M16: the 1469 images enter as static 15-frame sequences, as in the real job.
            train_x[:1469] = train_x[:1469, :1].expand(-1, FRAMES, -1)
        train_y, val_y = torch.arange(train_n) % CLASSES, torch.arange(val_n) % CLASSES
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            train(head, train_x, train_y, val_x, val_y)
            seconds.append(time.perf_counter() - start)
        print(f"| {name} | {torch.get_num_threads()} | {statistics.median(seconds):.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
