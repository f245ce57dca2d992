import type { ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DayFigures } from '../lib/daily-stats.js';

const AXIS = { fontSize: 12, fill: '#475569' };
const MARGIN = { top: 8, right: 12, bottom: 0, left: 0 };

function ChartCard({ title, description, children }: { title: string; description: string; children: ReactElement }) {
  return (
    <figure className="chart" aria-label={`${title}: ${description}`}>
      <figcaption>
        {title} <span className="muted">({description})</span>
      </figcaption>
      <div className="chart__body">
        <ResponsiveContainer width="100%" height={220} minWidth={0}>
          {children}
        </ResponsiveContainer>
      </div>
    </figure>
  );
}

/** Calls per day, connect rate and talk time over the chosen days. */
export function StatsCharts({ days }: { days: readonly DayFigures[] }) {
  // Talk time reads in seconds until a day has two minutes or more.
  const isMinutes = days.some((d) => d.talkSeconds >= 120);
  const data = days.map((d) => ({ ...d, talk: isMinutes ? Math.round((d.talkSeconds / 60) * 10) / 10 : d.talkSeconds }));
  const total = days.reduce((sum, d) => sum + d.calls, 0);
  return (
    <div className="charts">
      <ChartCard title="Calls per day" description={`${total} in ${days.length} days`}>
        <BarChart data={data} margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
          <YAxis allowDecimals={false} tick={AXIS} width={32} />
          <Tooltip />
          <Legend iconSize={10} wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="calls" name="All calls" fill="#93c5fd" isAnimationActive={false} />
          <Bar dataKey="connects" name="Connected" fill="#16a34a" isAnimationActive={false} />
        </BarChart>
      </ChartCard>
      <ChartCard title="Connect rate" description="% answered and completed">
        <LineChart data={data} margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
          <YAxis domain={[0, 100]} unit="%" tick={AXIS} width={44} />
          <Tooltip formatter={(value) => `${String(value)}%`} />
          <Line type="monotone" dataKey="connectRate" name="Connect rate" stroke="#1d4ed8" strokeWidth={2} connectNulls dot={{ r: 3 }} isAnimationActive={false} />
        </LineChart>
      </ChartCard>
      <ChartCard title="Talk time" description={isMinutes ? 'minutes per day' : 'seconds per day'}>
        <BarChart data={data} margin={MARGIN}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
          <YAxis tick={AXIS} allowDecimals={isMinutes} width={40} />
          <Tooltip formatter={(value) => `${String(value)} ${isMinutes ? 'min' : 's'}`} />
          <Bar dataKey="talk" name="Talk time" fill="#7c3aed" isAnimationActive={false} />
        </BarChart>
      </ChartCard>
    </div>
  );
}
