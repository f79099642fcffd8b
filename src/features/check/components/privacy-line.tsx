/**
 * Where the text goes, always in view on the checker: "stays on this device",
 * or, whenever a model on an inference server is selected, the server's
 * label and host (the deployment's inferenceEndpoints).
 */
import { useT } from '../../../i18n';
import { useModelSession } from '../../../stores/model-session-store';

export function PrivacyLine() {
  const t = useT();
  const verifier = useModelSession((s) => s.verifier.remote);
  const reward = useModelSession((s) => s.reward.remote);
  const remotes = [verifier, reward].filter((r): r is { label: string; host: string } => r !== null);
  const unique = remotes.filter((r, i) => remotes.findIndex((o) => o.host === r.host && o.label === r.label) === i);
  if (unique.length === 0) {
    return (
      <p className="privacy-note" data-testid="check-privacy" data-remote="false">
        {t('check.privacy.local')}
      </p>
    );
  }
  return (
    <p className="privacy-note notice" data-testid="check-privacy" data-remote="true" data-host={unique.map((r) => r.host).join(' ')} role="note">
      {unique.map((r) => t('check.privacy.remote', { label: r.label, host: r.host })).join(' ')}
    </p>
  );
}
