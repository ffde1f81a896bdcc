// A log-bucketed latency histogram: about 1 % relative precision from 1 µs to hours, mergeable across
// processes (the coordinator adds up its workers' histograms), a few KB however many values it holds.

const PER_E = 100; // buckets per factor e: each bucket is ~1 % wide

export class Hist {
    constructor() {
        this.counts = []; // bucket index -> count (sparse array)
        this.count = 0;
        this.max = 0;
        this.sum = 0;
    }

    /** Records one value in milliseconds. */
    record(ms) {
        const us = ms * 1000;
        const i = us <= 1 ? 0 : Math.floor(Math.log(us) * PER_E);
        this.counts[i] = (this.counts[i] ?? 0) + 1;
        this.count++;
        this.sum += ms;
        if (ms > this.max) this.max = ms;
    }

    /** The value (ms) below which a fraction q of the values lie; NaN when empty. */
    quantile(q) {
        if (this.count === 0) return NaN;
        const rank = Math.max(1, Math.ceil(q * this.count));
        let seen = 0;
        for (let i = 0; i < this.counts.length; i++) {
            const n = this.counts[i];
            if (!n) continue;
            seen += n;
            if (seen >= rank) {
                // the bucket's middle, never above the exact maximum
                return Math.min(this.max, Math.exp((i + 0.5) / PER_E) / 1000);
            }
        }
        return this.max;
    }

    mean() {
        return this.count ? this.sum / this.count : NaN;
    }

    merge(other) {
        other.counts.forEach((n, i) => {
            if (n) this.counts[i] = (this.counts[i] ?? 0) + n;
        });
        this.count += other.count;
        this.sum += other.sum;
        if (other.max > this.max) this.max = other.max;
        return this;
    }

    /** A compact form for IPC: only the buckets in use. */
    toJSON() {
        const c = [];
        this.counts.forEach((n, i) => {
            if (n) c.push(i, n);
        });
        return { c, count: this.count, max: this.max, sum: this.sum };
    }

    static from(json) {
        const h = new Hist();
        for (let k = 0; k < json.c.length; k += 2) h.counts[json.c[k]] = json.c[k + 1];
        h.count = json.count;
        h.max = json.max;
        h.sum = json.sum;
        return h;
    }
}
