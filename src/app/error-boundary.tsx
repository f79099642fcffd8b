import { Component, type ErrorInfo, type ReactNode } from 'react';
import { toMedfactError } from '../protocol/errors';
import { useT } from '../i18n';

interface Props {
  children: ReactNode;
  /** Changing it (e.g. the route) clears a caught error. */
  resetKey?: string;
}

interface State {
  error: Error | null;
}

/** Catches render errors of one screen so the shell (nav, settings) keeps working. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : toMedfactError(error) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Stack only: never user text.
    console.error('medfact-lens: screen crashed', error.name, info.componentStack);
  }

  override componentDidUpdate(prev: Props): void {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  override render(): ReactNode {
    if (this.state.error) return <ErrorFallback error={this.state.error} onRetry={() => this.setState({ error: null })} />;
    return this.props.children;
  }
}

function ErrorFallback({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const t = useT();
  const typed = toMedfactError(error);
  return (
    <section className="panel panel-error" role="alert" aria-labelledby="boundary-title">
      <h2 id="boundary-title">{t('boundary.title')}</h2>
      <p>{t('boundary.body')}</p>
      <p>{t(`error.${typed.code}`)}</p>
      <pre className="error-detail">
        {typed.code}: {error.name}
      </pre>
      <div className="actions">
        <button type="button" onClick={onRetry}>
          {t('boundary.retry')}
        </button>
        <button type="button" className="primary" onClick={() => location.reload()}>
          {t('boundary.reload')}
        </button>
      </div>
    </section>
  );
}
