"""The trainer's networks written in PyTorch, for `crs bench all`: samples/s of one training epoch.

Run by the bench (bench module, never by the pipeline) with the sizes, batch, learning rate and thread count
of the Java side, on random inputs of the same shapes (the rate does not depend on the values). Prints one
JSON line. Exit code 3 when torch cannot be imported, so the bench can say so in one line and go on.
"""
import argparse
import json
import resource
import sys
import time


def peak_rss_mib():
    """VmHWM of this process. Not ru_maxrss: Linux keeps that across exec, so it would report the JVM that
    started this script."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--backbone", choices=["semantic", "hybrid"], required=True)
    p.add_argument("--items", type=int, required=True)
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--hidden", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--samples", type=int, required=True)
    p.add_argument("--lr", type=float, required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--interop-threads", type=int, default=1)
    p.add_argument("--mentions", type=int, default=2)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    try:
        import torch
    except ImportError as e:
        print("torch is not importable: %s" % e, file=sys.stderr)
        sys.exit(3)
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(a.interop_threads)
    torch.manual_seed(a.seed)
    n, d, h = a.items, a.dim, a.hidden
    contexts = torch.randn(a.samples, d)
    contexts = contexts / contexts.norm(dim=1, keepdim=True)
    targets = torch.randint(0, n, (a.samples,))
    mentioned = torch.randint(0, n, (a.samples, a.mentions))
    item_init = torch.randn(n, d) * 0.05

    def build():
        # the parameters of the Java backbones, same shapes and same roles
        def uniform(rows, cols, limit):
            return torch.nn.Parameter(torch.empty(rows, cols).uniform_(-limit, limit))
        params = {}
        fan_in = 2 * d if a.backbone == "hybrid" else d
        params["w1"] = uniform(h, fan_in, (6.0 / (fan_in + h)) ** 0.5)
        params["b1"] = torch.nn.Parameter(torch.zeros(h))
        params["w2"] = uniform(d, h, 0.1 * (6.0 / (d + h)) ** 0.5)
        params["b2"] = torch.nn.Parameter(torch.zeros(d))
        params["items"] = torch.nn.Parameter(item_init.clone())
        params["item_bias"] = torch.nn.Parameter(torch.zeros(n))
        if a.backbone == "hybrid":
            params["gate"] = torch.nn.Parameter(torch.zeros(d))
            params["mention"] = torch.nn.Parameter(item_init.clone())
        return params

    def forward(params, x, bag):
        lin = torch.nn.functional.linear
        if a.backbone == "semantic":
            hidden = torch.relu(lin(x, params["w1"], params["b1"]))
            moved = lin(hidden, params["w2"], params["b2"]) + x
        else:
            mentions = bag @ params["mention"]
            hidden = torch.relu(lin(torch.cat([x, mentions], 1), params["w1"], params["b1"]))
            moved = lin(hidden, params["w2"], params["b2"]) + x + mentions * params["gate"]
        return lin(moved, params["items"], params["item_bias"])

    def epoch():
        params = build()
        opt = torch.optim.Adam(params.values(), lr=a.lr)
        order = torch.randperm(a.samples)
        for start in range(0, a.samples, a.batch):
            idx = order[start:start + a.batch]
            x = contexts[idx]
            bag = None
            if a.backbone == "hybrid":
                # the mentioned items as a dense bag of weights, as the Java backbone feeds them
                bag = torch.zeros(len(idx), n)
                bag.scatter_add_(1, mentioned[idx], torch.full((len(idx), a.mentions), 1.0 / a.mentions))
            loss = torch.nn.functional.cross_entropy(forward(params, x, bag), targets[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()

    epoch()  # warm-up: allocator growth and first-call costs, as on the Java side
    rates = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        epoch()
        rates.append(a.samples / (time.perf_counter() - t0))
    rates.sort()
    print(json.dumps({
        "samples_per_s": rates[len(rates) // 2],
        "runs": rates,
        "peak_rss_mib": peak_rss_mib(),
        "torch": torch.__version__,
        # a torch built against a generic BLAS multiplies matrices far slower than one with MKL or OpenBLAS
        "blas": next((part.split("=", 1)[1] for part in torch.__config__.show().replace(",", " ").split()
                      if part.startswith("BLAS_INFO=")), "unknown"),
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
