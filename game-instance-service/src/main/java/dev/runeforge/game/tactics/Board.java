package dev.runeforge.game.tactics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;

import dev.runeforge.game.tactics.TacticsModel.Pos;
import dev.runeforge.game.tactics.TacticsModel.State;
import dev.runeforge.game.tactics.TacticsModel.Unit;

/**
 * Movement on the grid. <b>8-way</b>: a step goes to any of the 8 neighbours and costs 1, or 2 when the cell it
 * enters is difficult terrain ({@code ~}). A diagonal step may not cut the corner of a wall (both orthogonal cells
 * it passes must be free of walls). Walls and cells with a standing enemy cannot be entered; cells with a standing
 * ally can be passed through but not stopped on. Units that are down occupy nothing. Attack range is Chebyshev
 * distance, matching the movement (range 1 = any adjacent cell, diagonals included).
 */
public final class Board {
    public static final char FLOOR = '.';
    public static final char WALL = '#';
    public static final char DIFFICULT = '~';
    private static final int[][] STEPS = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};

    private Board() {
    }

    static boolean inside(State s, int x, int y) {
        return x >= 0 && y >= 0 && x < s.width() && y < s.height();
    }

    /** The standing unit on {@code p}, if any. */
    static Optional<Unit> standingAt(State s, Pos p) {
        return s.units().stream().filter(u -> !u.down() && u.x() == p.x() && u.y() == p.y()).findFirst();
    }

    /** Why {@code mover} cannot end its move on {@code to} (empty: it may, path aside). */
    static Optional<String> blocked(State s, Unit mover, Pos to) {
        if (!inside(s, to.x(), to.y())) {
            return Optional.of("(" + to.x() + "," + to.y() + ") is off the board");
        }
        if (s.cell(to.x(), to.y()) == WALL) {
            return Optional.of("(" + to.x() + "," + to.y() + ") is a wall");
        }
        Optional<Unit> there = standingAt(s, to);
        if (there.isPresent() && !there.get().id().equals(mover.id())) {
            return Optional.of("(" + to.x() + "," + to.y() + ") is taken by " + there.get().name());
        }
        return Optional.empty();
    }

    /**
     * Cheapest movement cost from {@code mover}'s cell to every cell it can pass through within {@code budget},
     * with the previous cell of each (for the path). Ally cells are in it (passable); callers check stopping.
     */
    record Costs(int width, int[] cost, int[] previous) {
        int at(Pos p) {
            return cost[p.y() * width + p.x()];
        }

        List<Pos> path(Pos from, Pos to) {
            List<Pos> path = new ArrayList<>();
            int i = to.y() * width + to.x();
            int start = from.y() * width + from.x();
            while (i != start) {
                path.add(new Pos(i % width, i / width));
                i = previous[i];
            }
            Collections.reverse(path);
            return path;
        }
    }

    static Costs costs(State s, Unit mover, int budget) {
        int w = s.width();
        int h = s.height();
        int[] cost = new int[w * h];
        int[] previous = new int[w * h];
        Arrays.fill(cost, Integer.MAX_VALUE);
        Arrays.fill(previous, -1);
        boolean[] enemy = new boolean[w * h];
        for (Unit u : s.units()) {
            if (!u.down() && !u.side().equals(mover.side())) {
                enemy[u.y() * w + u.x()] = true;
            }
        }
        int start = mover.y() * w + mover.x();
        cost[start] = 0;
        PriorityQueue<int[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0])
                : Integer.compare(a[1], b[1])); // ties by cell index: the same path every time
        queue.add(new int[]{0, start});
        while (!queue.isEmpty()) {
            int[] head = queue.poll();
            int c = head[0];
            int i = head[1];
            if (c > cost[i]) {
                continue;
            }
            int x = i % w;
            int y = i / w;
            for (int[] d : STEPS) {
                int nx = x + d[0];
                int ny = y + d[1];
                if (!inside(s, nx, ny) || s.cell(nx, ny) == WALL || enemy[ny * w + nx]) {
                    continue;
                }
                if (d[0] != 0 && d[1] != 0 && (s.cell(nx, y) == WALL || s.cell(x, ny) == WALL)) {
                    continue; // no squeezing diagonally past a wall's corner
                }
                int next = c + (s.cell(nx, ny) == DIFFICULT ? 2 : 1);
                if (next <= budget && next < cost[ny * w + nx]) {
                    cost[ny * w + nx] = next;
                    previous[ny * w + nx] = i;
                    queue.add(new int[]{next, ny * w + nx});
                }
            }
        }
        return new Costs(w, cost, previous);
    }

    /** The cells {@code mover} may end a move on with {@code budget} movement left, with their cost. */
    static Map<Pos, Integer> reachable(State s, Unit mover, int budget) {
        Costs costs = costs(s, mover, budget);
        Map<Pos, Integer> cells = new LinkedHashMap<>();
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                Pos p = new Pos(x, y);
                int c = costs.at(p);
                if (c != Integer.MAX_VALUE && c > 0 && standingAt(s, p).isEmpty()) {
                    cells.put(p, c);
                }
            }
        }
        return cells;
    }
}
