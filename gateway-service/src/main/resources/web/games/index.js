// The games this page offers, in the lobby's order: one entry per game. A game's module (games/<id>/<id>.js)
// exports {id, label, hint, markup (its HTML: the lobby's options and its view), friendly (refusals in words),
// closedText (why it closed, in words), replayable, mount(root, shell) -> its controller}; the page shell
// (app.js) picks the module by `joined.game` and knows nothing else about any game. Its state comes from the
// SDK's folds for the same id (sdk/games/).
import dice from './dice/dice.js';
import rps from './rps/rps.js';
import tactics from './tactics/tactics.js';

export const GAMES = Object.freeze([dice, tactics, rps]);
