import type { ReactElement } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { DayFigures } from '../lib/daily-stats.js';

const AXIS = { fontSize: 12, fill: '#475569' };

function ChartCard({ title, description, children }: { title: string; description: string; children: ReactElement }) {
  return (
    <figure className="chart" aria-label={`${title}: ${description}`}>
      <figcaption>{title}</figcaption>
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
  const data = [...days];
  const total = days.reduce((sum, d) => sum + d.calls, 0);
  return (
    <div className="charts">
      <ChartCard title="Calls per day" description={`${total} calls in ${days.length} days`}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
          <YAxis allowDecimals={false} tick={AXIS} />
          <Tooltip />
          <Bar dataKey="connects" name="Connected" fill="#16a34a" />
          <Bar dataKey="calls" name="All calls" fill="#93c5fd" />
        </BarChart>
      </ChartCard>
      <ChartCard title="Connect rate" description="percent of calls answered and completed, per day">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
          <YAxis domain={[0, 100]} unit="%" tick={AXIS} />
          <Tooltip formatter={(value) => `${String(value)}%`} />
          <Line type="monotone" dataKey="connectRate" name="Connect rate" stroke="#1d4ed8" strokeWidth={2} connectNulls dot={{ r: 3 }} />
        </LineChart>
      </ChartCard>
      <ChartCard title="Talk time" description="minutes of conversation per day">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={AXIS} interval="preserveStartEnd" />
          <YAxis tick={AXIS} unit="m" />
          <Tooltip formatter={(value) => `${String(value)} min`} />
          <Bar dataKey="talkMinutes" name="Talk time" fill="#7c3aed" />
        </BarChart>
      </ChartCard>
    </div>
  );
}
