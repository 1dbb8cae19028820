// One part of the screen that fails (a bug, or data it cannot show) says so and can be reloaded while the
// rest of the console goes on working. Without a boundary React unmounts the whole window on one error,
// and a dispatcher in the middle of a shift is left with a blank screen.
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What the dispatcher calls this part ("Vehicle list", "Map", a tab's name). */
  name: string;
  /** Classes of the part it stands in for, so the failure box keeps its place in the layout. */
  className?: string;
  children: ReactNode;
}

export class PanelBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`${this.props.name} failed: ${error.message}`, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const { name, className } = this.props;
    return (
      <section className={`panel-error ${className ?? ''}`} role="alert" aria-label={`${name} failed`}>
        <strong>{name} stopped working</strong>
        <p className="message">{error.message}</p>
        <p className="hint">The rest of FleetDesk goes on working. Reload this part; if it fails again, tell support this message.</p>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Reload {name.toLowerCase()}
        </button>
      </section>
    );
  }
}
