import { describe, expect, it } from 'vitest';
import { findModel } from '../catalog/catalog.js';
import { azureDeployments, deploymentMapProblem, deploymentModel } from './deployments.js';

const catalog = { find: findModel };

describe('Azure deployment maps', () => {
  it('accepts deployment names as Azure allows them, mapped to azure-openai or openai catalog ids', () => {
    expect(deploymentMapProblem({ 'prod-gpt': 'gpt-5.4-mini', 'gpt4o_eu.v2': 'gpt-5.5', embed: 'text-embedding-3-small' }, catalog)).toBe(
      undefined,
    );
    expect(deploymentMapProblem({ ['a'.repeat(64)]: 'gpt-5.4-mini' }, catalog)).toBe(undefined);
  });

  it.each([
    ['a space', { 'prod gpt': 'gpt-5.4-mini' }],
    ['a leading hyphen', { '-prod': 'gpt-5.4-mini' }],
    ['a path', { '../x': 'gpt-5.4-mini' }],
    ['65 characters', { ['a'.repeat(65)]: 'gpt-5.4-mini' }],
    ['a number as model', { 'prod-gpt': 5 }],
    ['a string instead of a map', 'prod-gpt'],
  ])('refuses %s, without quoting it back', (_, value) => {
    const problem = deploymentMapProblem(value, catalog);
    expect(problem).toMatch(/deployment names/);
    expect(problem).not.toMatch(/prod gpt|-prod|\.\.\/x|aaaa/);
  });

  it('refuses a model the catalog does not list for azure-openai or openai, naming the deployment', () => {
    expect(deploymentMapProblem({ 'prod-gpt': 'gpt-9-imaginary' }, catalog)).toMatch(/^prod-gpt maps to a model the catalog does not list/);
    expect(deploymentMapProblem({ claude: 'claude-haiku-4-5' }, catalog)).toMatch(/^claude maps to a model/);
  });

  it('prices a deployment at the azure-openai entry when there is one, else the openai one', () => {
    expect(deploymentModel('gpt-5.4-mini', catalog)?.provider).toBe('azure-openai');
    expect(deploymentModel('text-embedding-3-small', catalog)?.provider).toBe('openai');
    expect(deploymentModel('claude-haiku-4-5', catalog)).toBeUndefined();
  });

  it('reads a key’s map in name order; no map (or one that does not parse) is undefined', () => {
    expect(azureDeployments({ deployments: { zeta: 'gpt-5.5', alpha: 'gpt-5.4-mini' } })).toEqual([
      { name: 'alpha', model: 'gpt-5.4-mini' },
      { name: 'zeta', model: 'gpt-5.5' },
    ]);
    expect(azureDeployments({ apiVersion: '2024-10-21' })).toBeUndefined();
    expect(azureDeployments({ deployments: { 'bad name': 'gpt-5.5' } })).toBeUndefined();
  });
});
