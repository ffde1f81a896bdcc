package dev.runeforge.game.dice;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.game.dice.DiceModel.Command;
import dev.runeforge.game.dice.DiceModel.Event;
import dev.runeforge.game.dice.DiceModel.Player;
import dev.runeforge.game.dice.DiceModel.Roll;
import dev.runeforge.game.dice.DiceModel.State;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;

/** The dice room: everyone in the room rolls, everyone sees every roll. */
public final class DiceRules implements GameRules<State, Command, Event> {
    public static final String ID = "dice";
    public static final String INVALID_DICE_FORMAT = "INVALID_DICE_FORMAT";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Class<Command> commandType() {
        return Command.class;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    @Override
    public Class<Event> eventType() {
        return Event.class;
    }

    @Override
    public State initial() {
        return State.INITIAL;
    }

    @Override
    public Decision<Event> create(State state, JsonNode settings, Context ctx) {
        return Decision.accept(new Event.RoomCreated(ctx.code(), new Player(ctx.actor(), ctx.actorName())));
    }

    @Override
    public Decision<Event> join(State state, Context ctx) {
        if (state.has(ctx.actor())) {
            return Decision.accept();
        }
        return Decision.accept(new Event.PlayerJoined(new Player(ctx.actor(), ctx.actorName())));
    }

    @Override
    public Decision<Event> leave(State state, Context ctx) {
        return Decision.accept(new Event.PlayerLeft(ctx.actor()));
    }

    @Override
    public Decision<Event> decide(State state, Command command, Context ctx) {
        return switch (command) {
            case Command.RollDice roll -> roll(roll, ctx);
        };
    }

    private static Decision<Event> roll(Command.RollDice command, Context ctx) {
        DiceFormula formula;
        try {
            formula = DiceFormula.parse(command.formula());
        } catch (DiceFormula.InvalidFormula e) {
            return Decision.reject(INVALID_DICE_FORMAT, e.getMessage());
        }
        List<Integer> dice = formula.roll(ctx.rng());
        int total = dice.stream().mapToInt(Integer::intValue).sum() + formula.modifier();
        return Decision.accept(new Event.Rolled(new Roll(ctx.actionId(), ctx.actor(), ctx.actorName(),
                formula.toString(), formula.count(), formula.sides(), formula.modifier(), dice, total,
                ctx.now().toEpochMilli())));
    }

    @Override
    public State apply(State state, Event event) {
        return switch (event) {
            case Event.RoomCreated c -> new State(true, c.code(), c.admin().id(), List.of(c.admin()), List.of());
            case Event.PlayerJoined j -> {
                List<Player> players = new ArrayList<>(state.players());
                players.add(j.player());
                yield state.withPlayers(players);
            }
            case Event.PlayerLeft l -> state.withPlayers(
                    state.players().stream().filter(p -> !p.id().equals(l.player())).toList());
            case Event.Rolled r -> state.withRoll(r.roll());
        };
    }

    @Override
    public boolean isMember(State state, String player) {
        return state.has(player);
    }

    @Override
    public Collection<String> members(State state) {
        return state.players().stream().map(Player::id).toList();
    }

    @Override
    public Object view(State state, Viewer viewer) {
        return new DiceModel.View(state.code(), state.admin(), state.players(), state.rolls());
    }

    @Override
    public Object project(State state, Event event, Viewer viewer) {
        // Nothing in an open dice room is hidden; hidden DM rolls redact here (dice room issue).
        return event;
    }
}
