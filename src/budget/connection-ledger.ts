import { Construct, IConstruct } from 'constructs';
import { ConcurrencyBudget } from './concurrency-budget';
import { ConnectionDraw, IConnectionDrawSource } from './connection-target';

/**
 * The app-wide record of who draws connections from which target. Constructs record draws when
 * they grant access; the ConcurrencyBudget reads the ledger at synth time.
 */
export class ConnectionLedger extends Construct implements IConnectionDrawSource {
  /** The ledger of the app that contains `scope` (created on first use). */
  public static of(scope: IConstruct): ConnectionLedger {
    const root = scope.node.root;
    const existing = root.node.tryFindChild(LEDGER_ID);
    if (existing) return existing as ConnectionLedger;
    // Whoever records draws gets them checked: the budget is created with the ledger and reads its draws.
    const budget = ConcurrencyBudget.of(root);
    const ledger = new ConnectionLedger(root as Construct, LEDGER_ID);
    budget._readDrawsFrom(ledger);
    return ledger;
  }

  private readonly recorded: ConnectionDraw[] = [];

  private constructor(scope: Construct, id: string) {
    super(scope, id);
  }

  /** Records that `draw.consumer` opens connections to `draw.target`. */
  public recordDraw(draw: ConnectionDraw): void {
    this.recorded.push(draw);
  }

  /** Every draw recorded so far, in recording order. */
  public get draws(): ConnectionDraw[] {
    return [...this.recorded];
  }
}

const LEDGER_ID = 'cdk-elastic-data-access.ConnectionLedger';
